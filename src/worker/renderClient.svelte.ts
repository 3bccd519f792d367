/**
 * Owns a render worker and exposes its latest result as reactive state (after svelte.dev's REPL
 * `Bundler`): `request()` posts a typed message with a fresh id; a newer request supersedes an older
 * one (the older is cancelled in the worker and its reply, if any, ignored), so the UI always shows
 * the newest picture and never a stale one arriving late.
 */
import { chunkTransferables } from '../core/events';
import { PointerprintError } from '../core/errors';
import type { RenderedReply, RenderReply, RenderSessionRequest, RenderWindowsRequest } from './renderProtocol';

type NewRequest = Omit<RenderWindowsRequest, 'id'> | Omit<RenderSessionRequest, 'id'>;

export class RenderClient {
  /** The newest completed result of `request()`. */
  latest = $state<RenderedReply | null>(null);
  /** True while a `request()` is outstanding. */
  busy = $state(false);
  /** Person-readable error of the newest request, if it failed. */
  error = $state<string | null>(null);

  #worker: Worker;
  #nextId = 1;
  #current = 0;
  #handlers = new Map<number, (r: RenderReply) => void>();

  constructor() {
    this.#worker = new Worker(new URL('./render.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (e: MessageEvent<RenderReply>) => {
      const h = this.#handlers.get(e.data.id);
      this.#handlers.delete(e.data.id);
      h?.(e.data);
    };
    this.#worker.onerror = (e) => {
      const message = 'The render worker failed: ' + (e.message || 'unknown error');
      for (const [id, h] of this.#handlers) h({ type: 'error', id, code: 'render/worker-crashed', message });
      this.#handlers.clear();
    };
  }

  /** Post one request; its columns' buffers are transferred (the caller must not use them after). */
  #post(req: NewRequest): { id: number; reply: Promise<RenderReply> } {
    const id = this.#nextId++;
    const msg = { ...req, id } as RenderWindowsRequest | RenderSessionRequest;
    const reply = new Promise<RenderReply>((resolve) => this.#handlers.set(id, resolve));
    this.#worker.postMessage(msg, chunkTransferables(req.columns));
    return { id, reply };
  }

  /**
   * Render and publish into `latest`, superseding any earlier `request()`. Resolves with the reply,
   * or null when a newer request superseded this one.
   */
  async request(req: NewRequest): Promise<RenderedReply | null> {
    if (this.#current) {
      this.#worker.postMessage({ type: 'cancel', id: this.#current });
      const h = this.#handlers.get(this.#current);
      this.#handlers.delete(this.#current);
      h?.({ type: 'error', id: this.#current, code: 'render/superseded', message: 'superseded' });
    }
    const { id, reply } = this.#post(req);
    this.#current = id;
    this.busy = true;
    const r = await reply;
    if (id !== this.#current) return null;
    this.#current = 0;
    this.busy = false;
    if (r.type === 'error') {
      this.error = r.message;
      return null;
    }
    this.error = null;
    this.latest = r;
    return r;
  }

  /** Render without touching `latest` or superseding anything (batch jobs, benchmarks). */
  async renderOnce(req: NewRequest): Promise<RenderedReply> {
    const r = await this.#post(req).reply;
    if (r.type === 'error') throw new PointerprintError(r.code, r.message);
    return r;
  }

  dispose(): void {
    this.#worker.terminate();
    this.#handlers.clear();
  }
}
