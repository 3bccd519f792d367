/**
 * The model's specification: plain data, no tfjs import, so the main thread (profiles, settings
 * checks) can use it without pulling TensorFlow.js into the page bundle. The network itself is built
 * from a spec in model.ts.
 */
export type ModelKind = 'verification' | 'group';

/** Everything that defines the architecture; stored with every saved model. */
export interface ModelSpec {
  kind: ModelKind;
  /** Square input side in px (= EncodingSettings.sizePx). */
  inputSizePx: number;
  /** Image channels (RGB). */
  channels: 3;
  /** Number of output classes (verification: 2, index 1 = the enrolled person). */
  numClasses: number;
  /** Filters of each conv block; each block ends with a 2×2 max-pool. */
  blockFilters: number[];
  /** 3×3 convolutions per block. */
  convsPerBlock: number;
  /** Units of the hidden dense layer (0 = none). */
  denseUnits: number;
  /** Dropout rate before the hidden and the output dense layers (0 = none). */
  dropout: number;
  /** L2 weight decay coefficient on conv and dense kernels (0 = none). */
  l2: number;
  batchNorm: boolean;
  /** Version of this file's architecture code: bump when layers change so old models are refused. */
  archVersion: number;
}

export const ARCH_VERSION = 1;

/**
 * Blocks so the last feature map is at most ~8×8: 64 px → 3 blocks, 32 px → 2, 16 px → 1.
 * Filters double per block from `base`.
 */
function blocksFor(sizePx: number, base: number, maxBlocks: number): number[] {
  const out: number[] = [];
  let s = sizePx;
  while (s > 8 && out.length < maxBlocks) {
    out.push(base * 2 ** out.length);
    s = Math.floor(s / 2);
  }
  if (out.length === 0) out.push(base);
  return out;
}

/**
 * The default spec for a kind and input size (what the app trains). Both kinds share the architecture the
 * benchmark trains and validates (one 3×3 convolution per block, no batch normalisation); a verification
 * model has two classes. Until stop 21 a verification model used two convolutions per block with batch
 * normalisation (on the benchmark's CNN, batch norm costs 2.8× per epoch on wasm and with two convolutions
 * per block 7×; docs/benchmark.md) for no share of the decision; models saved with it still load, since a
 * saved model is rebuilt from its own topology.
 */
export function defaultSpec(kind: ModelKind, inputSizePx: number, numClasses = 2): ModelSpec {
  return {
    kind, inputSizePx, channels: 3, numClasses: kind === 'verification' ? 2 : Math.max(2, numClasses),
    blockFilters: blocksFor(inputSizePx, 16, 4),
    convsPerBlock: 1, denseUnits: 32, dropout: 0.25, l2: 0, batchNorm: false,
    archVersion: ARCH_VERSION,
  };
}

/** A very small spec for tests and backend probes (still conv + pool + dense, same code path). */
export function tinySpec(inputSizePx = 16, numClasses = 2, overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    kind: 'group', inputSizePx, channels: 3, numClasses,
    blockFilters: [4, 8].slice(0, inputSizePx >= 16 ? 2 : 1),
    convsPerBlock: 1, denseUnits: 8, dropout: 0, l2: 0, batchNorm: false,
    archVersion: ARCH_VERSION,
    ...overrides,
  };
}

