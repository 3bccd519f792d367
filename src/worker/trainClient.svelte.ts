/**
 * Owns the train worker and exposes training progress and the backend as reactive state (after
 * svelte.dev's REPL pattern): typed requests with ids; replies routed back by id. A newer `train()`
 * supersedes (cancels) an older one. Scoring requests are independent and never cancel training.
 */
import { chunkTransferables } from '../core/events';
import { PointerprintError } from '../core/errors';
import type { FeatureModelDescription } from '../ml/featureModel';
import type { BackendInfo, BackendName } from '../ml/backends';
import type { EpochReport } from '../ml/train';
import type { TrainJob } from '../ml/pipeline';
import type { TrainWorkerReply, TrainWorkerRequest, ScoreWindow, TrainSummary } from './trainProtocol';
import type { EncodingSettings } from '../core/settings';
import type { GroupWindow } from '../core/groupTally';

type Handler = (r: TrainWorkerReply) => void;
type Stage = 'idle' | 'rendering' | 'training' | 'evaluating' | 'done' | 'cancelled' | 'failed';

/** Without `id` (distributive, so each request keeps its own fields). */
type NewRequest = TrainWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class TrainClient {
  backend = $state<BackendInfo | null>(null);
  backendError = $state<string | null>(null);
  stage = $state<Stage>('idle');
  /** Stage progress (e.g. windows rendered of total). */
  progress = $state<{ done: number; total: number }>({ done: 0, total: 0 });
  epochs = $state<EpochReport[]>([]);
  summary = $state<TrainSummary | null>(null);
  error = $state<string | null>(null);
  /** Epoch budget of the current (or last) training, so a view opened mid-training shows it. */
  maxEpochs = $state(0);

  /**
   * A getter over `stage`, not a `$derived`: the shared client is created lazily by whichever
   * component first asks for it, and a `$derived` made then belongs to that component's effect. Once
   * that view is left (e.g. while training runs) the derived is inert: Svelte warns `derived_inert`
   * and every later reader gets its last value, so a view kept seeing `busy` = true after training
   * ended. The client outlives every view, so nothing in it may be owned by one.
   */
  get busy(): boolean {
    return this.stage === 'rendering' || this.stage === 'training' || this.stage === 'evaluating';
  }

  #worker: Worker;
  #nextId = 1;
  #trainId = 0;
  #handlers = new Map<number, Handler>();

  constructor() {
    this.#worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (e: MessageEvent<TrainWorkerReply>) => this.#handlers.get(e.data.id)?.(e.data);
    this.#worker.onerror = (e) => {
      const message = 'The learning worker failed: ' + (e.message || 'unknown error');
      for (const [id, h] of this.#handlers) h({ type: 'error', id, code: 'learn/worker-crashed', message });
      this.#handlers.clear();
    };
  }

  #send(req: NewRequest, onReply: Handler, transfer: Transferable[] = []): number {
    const id = this.#nextId++;
    this.#handlers.set(id, onReply);
    this.#worker.postMessage({ ...req, id } as TrainWorkerRequest, transfer);
    return id;
  }

  #once<T>(req: NewRequest, pick: (r: TrainWorkerReply) => T | undefined, transfer: Transferable[] = []): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.#send(req, (r) => {
        if (r.type === 'error') { this.#handlers.delete(id); reject(new PointerprintError(r.code, r.message)); return; }
        const v = pick(r);
        if (v !== undefined) { this.#handlers.delete(id); resolve(v); }
      }, transfer);
    });
  }

  /** Choose the backend ('auto' = capability + probe). */
  async chooseBackend(choice: BackendName | 'auto' = 'auto', probeAll = false): Promise<BackendInfo | null> {
    this.backendError = null;
    try {
      this.backend = await this.#once({ type: 'backend', choice, probeAll }, (r) => (r.type === 'backend' ? r.info : undefined));
    } catch (e) {
      this.backendError = (e as Error).message;
    }
    return this.backend;
  }

  /**
   * Train in the worker. Session columns are transferred (the caller must not reuse them).
   * Resolves with the summary (also in `summary`), or null when cancelled/superseded/failed (`error`).
   */
  train(job: TrainJob, modelId: string | null): Promise<TrainSummary | null> {
    if (this.#trainId) this.cancel();
    this.epochs = [];
    this.summary = null;
    this.error = null;
    this.stage = 'rendering';
    this.progress = { done: 0, total: 0 };
    this.maxEpochs = job.options.epochs ?? 0;
    const transfer = job.sessions.flatMap((s) => chunkTransferables(s.columns));
    return new Promise<TrainSummary | null>((resolve) => {
      const id = this.#send({ type: 'train', job, modelId }, (r) => {
        if (id !== this.#trainId) { if (r.type === 'trained' || r.type === 'error') this.#handlers.delete(id); return; }
        switch (r.type) {
          case 'stage': this.stage = r.stage; this.progress = { done: r.done, total: r.total }; break;
          case 'epoch': this.epochs = [...this.epochs, r.report]; this.progress = { done: r.report.epoch + 1, total: job.options.epochs ?? 0 }; break;
          case 'trained':
            this.#handlers.delete(id);
            this.#trainId = 0;
            this.summary = r.summary;
            this.stage = r.summary.cancelled ? 'cancelled' : 'done';
            resolve(r.summary.cancelled ? null : r.summary);
            break;
          case 'error':
            this.#handlers.delete(id);
            this.#trainId = 0;
            this.error = r.message;
            this.stage = 'failed';
            resolve(null);
            break;
        }
      }, transfer);
      this.#trainId = id;
    }).catch((e: unknown) => {
      // e.g. a DataCloneError: something in the job could not be posted.
      this.#trainId = 0;
      this.error = `Training could not start: ${(e as Error).message}`;
      this.stage = 'failed';
      return null;
    });
  }

  /** Stop the current training (it finishes the current batch and reports what it has). */
  cancel(): void {
    if (!this.#trainId) return;
    this.#worker.postMessage({ type: 'cancel', id: this.#trainId } satisfies TrainWorkerRequest);
  }

  /** Score windows with a saved model; window columns are transferred. */
  score(
    modelUrl: string, windows: ScoreWindow[], encoding: EncodingSettings, cls = 1,
    featureModel: FeatureModelDescription | null = null, fusionWeight = 0,
  ): Promise<{ scores: number[]; ms: number }> {
    const transfer = windows.flatMap((w) => chunkTransferables(w.columns));
    return this.#once({ type: 'score', modelUrl, windows, encoding, cls, featureModel, fusionWeight }, (r) => (r.type === 'scores' ? { scores: r.scores, ms: r.ms } : undefined), transfer);
  }

  /** Score windows with a saved group model: every group's probability (and "not people" score) per window. */
  scoreGroups(
    modelUrl: string, windows: ScoreWindow[], encoding: EncodingSettings, featureModel: FeatureModelDescription | null = null, fusionWeight = 0,
  ): Promise<{ windows: GroupWindow[]; ms: number }> {
    const transfer = windows.flatMap((w) => chunkTransferables(w.columns));
    return this.#once({ type: 'score-groups', modelUrl, windows, encoding, featureModel, fusionWeight }, (r) => (r.type === 'group-scores' ? { windows: r.windows, ms: r.ms } : undefined), transfer);
  }

  memory(): Promise<{ numTensors: number; numBytes: number; backend: string }> {
    return this.#once({ type: 'memory' }, (r) => (r.type === 'memory' ? { numTensors: r.numTensors, numBytes: r.numBytes, backend: r.backend } : undefined));
  }

  disposeModels(): Promise<void> {
    return this.#once({ type: "dispose-models" }, (r) => (r.type === "disposed" ? true : undefined)).then(() => undefined);
  }

  terminate(): void {
    this.#worker.terminate();
    this.#handlers.clear();
  }
}

/** One shared client for the app's views (one worker, one model cache). */
let shared: TrainClient | null = null;
export function trainClient(): TrainClient {
  return (shared ??= new TrainClient());
}
