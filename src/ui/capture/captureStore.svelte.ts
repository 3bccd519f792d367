// The capture controller lives in the application layer (src/app); this path stays for older imports.
export * from '../../app/capture/captureController.svelte';
