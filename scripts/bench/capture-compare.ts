/**
 * The capture-cost part of `npm run bench -- capture`: Pointerprint's recorder beside rrweb's
 * `record()` on one synthetic stream, in the page (Chromium, against the Vite dev server).
 *
 * The stream: N pointer moves, each dispatched as a browser does, a `pointermove` carrying one coalesced
 * sample and then its `mousemove` (rrweb listens to mousemove; we listen to pointermove and read every
 * coalesced sample). Events are made before timing. Batches of 200 moves are timed with nothing
 * attached, with an empty pointermove listener (the floor any listener-based capture pays), with a listener that only
 * reads every coalesced sample (the floor of any capture that keeps them all), with our recorder, with rrweb at its default sampling (a position per 50 ms), and with rrweb
 * taking every mousemove; the configurations are interleaved within each round so load drifts hit all
 * alike. A configuration's cost is its mean per move minus the baseline's. For ours, cutting chunks
 * (`flush()`: copy, hooks, queueing for the save loop; not the IndexedDB put, which runs after the
 * first await) is timed separately and amortised per move. rrweb's `emit` pushes to an array, the
 * cheapest thing an integration can do; its one-off full snapshot at start is outside the timed batches.
 */
import { fileURLToPath } from 'node:url';

export const RRWEB_UMD = fileURLToPath(new URL('../../node_modules/rrweb/dist/rrweb.umd.min.cjs', import.meta.url));

export interface CaptureFigures {
  events: number;
  rounds: number;
  baselineUsPerEvent: number;
  withRecorderUsPerEvent: number;
  handlerUsPerEvent: number;
  handlerUsPerEventP50: number;
  handlerUsPerEventP95: number;
  /**
   * The floor any listener-based capture pays: an empty passive capture-phase `pointermove` listener on
   * window (registered as ours is), minus the baseline. What the browser charges to call into JS at all.
   */
  emptyListenerUsPerEvent: number;
  /**
   * The floor of any capture that keeps every coalesced sample: a listener that calls
   * `getCoalescedEvents()` and reads each sample's time, x, y and buttons into a typed array, nothing more.
   */
  coalescedReadUsPerEvent: number;
  flushUsPerEvent: number;
  totalUsPerEvent: number;
  /** Samples our recorder stored (every coalesced sample of every move). */
  recorded: number;
  bytesPerEvent: number;
  rrweb: {
    version: string;
    defaultUsPerEvent: number;
    everyMoveUsPerEvent: number;
    /** Mouse positions rrweb recorded per dispatched move (default: sampled every 50 ms). */
    defaultPositionsPerEvent: number;
    everyMovePositionsPerEvent: number;
  };
}

/** Runs in the page (serialised by page.evaluate): self-contained apart from its dynamic imports. */
export async function measureCaptureInPage(N: number): Promise<CaptureFigures> {
  type RrwebEvent = { type: number; data?: { source?: number; positions?: unknown[] } };
  type Rrweb = { record(o: Record<string, unknown>): (() => void) | undefined };
  const rrweb = (globalThis as unknown as { rrweb: Rrweb & { version?: string } }).rrweb;
  const { Recorder } = (await import('/src/capture/recorder.ts' as string)) as typeof import('../../src/capture/recorder');
  const { appendChunk, deleteSession } = (await import('/src/store/sessions.ts' as string)) as typeof import('../../src/store/sessions');
  const target = document.createElement('div');
  document.body.append(target);
  const BATCH = 200;
  // Sub-µs differences between configurations: 15 interleaved rounds so load drifts average out.
  const ROUNDS = 15;
  const perRound = Math.max(BATCH, Math.floor(N / ROUNDS / BATCH) * BATCH);
  const make = (i: number): [PointerEvent, MouseEvent] => {
    const x = 100 + ((i * 7) % 1000), y = 100 + ((i * 13) % 700);
    const init = { clientX: x, clientY: y, pointerType: 'mouse', button: -1, buttons: 0, bubbles: true, composed: true, pointerId: 1, isPrimary: true };
    const pm = new PointerEvent('pointermove', { ...init, coalescedEvents: [new PointerEvent('pointermove', init)] } as PointerEventInit);
    return [pm, new MouseEvent('mousemove', { clientX: x, clientY: y, button: 0, buttons: 0, bubbles: true, composed: true })];
  };
  const events = Array.from({ length: perRound }, (_, i) => make(i));
  /** Per-move µs of each batch; `between` runs after each batch, untimed unless it times itself. */
  const run = (between?: () => void): number[] => {
    const us: number[] = [];
    for (let b = 0; b < perRound; b += BATCH) {
      const t0 = performance.now();
      for (let i = b; i < b + BATCH; i++) { target.dispatchEvent(events[i][0]); target.dispatchEvent(events[i][1]); }
      us.push(((performance.now() - t0) * 1000) / BATCH);
      between?.();
    }
    return us;
  };
  const positions = (evs: RrwebEvent[]) => evs.reduce((n, e) => n + (e.type === 3 && (e.data?.source === 1 || e.data?.source === 6) ? e.data.positions?.length ?? 0 : 0), 0);
  /** rrweb over one round: mean µs/move and positions recorded (after its trailing callbacks fire). */
  const rrwebRound = async (sampling: Record<string, unknown>): Promise<{ us: number[]; positions: number }> => {
    const out: RrwebEvent[] = [];
    const stop = rrweb.record({ emit: (e: RrwebEvent) => { out.push(e); }, sampling });
    const us = run();
    await new Promise((r) => setTimeout(r, 600)); // rrweb emits buffered positions every 500 ms
    stop?.();
    return { us, positions: positions(out) };
  };

  run(); // warm up (JIT)
  const base: number[] = [], ours: number[] = [], empty: number[] = [], coalescedRead: number[] = [], rrDefault: number[] = [], rrEvery: number[] = [];
  const emptyListener = (): void => {};
  const sink = new Float64Array(1 << 16);
  let sunk = 0;
  const readSamples = (e: PointerEvent): void => {
    const list = e.getCoalescedEvents();
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      sink[sunk++ & 0xffff] = c.timeStamp + c.clientX + c.clientY + c.buttons;
    }
  };
  const listenerOpts = { capture: true, passive: true };
  let flushMs = 0, recorded = 0, rrDefaultPos = 0, rrEveryPos = 0;
  const ids: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    base.push(...run());
    window.addEventListener('pointermove', emptyListener, listenerOpts);
    empty.push(...run());
    window.removeEventListener('pointermove', emptyListener, listenerOpts);
    window.addEventListener('pointermove', readSamples, listenerOpts);
    coalescedRead.push(...run());
    window.removeEventListener('pointermove', readSamples, listenerOpts);
    const rec = new Recorder({ profileId: 'bench', sink: { appendChunk }, flushIntervalMs: 1e9, progressIntervalMs: 1e9 });
    ids.push(rec.start().id);
    let flushed = 0;
    // Flush every chunk-size events, timed, like the timer would do between frames.
    const cut = () => {
      const f0 = performance.now();
      rec.flush();
      flushMs += performance.now() - f0;
      flushed = rec.length;
    };
    ours.push(...run(() => { if (rec.length - flushed >= 4096) cut(); }));
    cut();
    recorded += rec.length;
    await rec.stop();
    const d = await rrwebRound({});
    rrDefault.push(...d.us);
    rrDefaultPos += d.positions;
    const e = await rrwebRound({ mousemove: 0, mousemoveCallback: 0 });
    rrEvery.push(...e.us);
    rrEveryPos += e.positions;
  }
  for (const id of ids) await deleteSession(id);
  target.remove();
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
  const diff = ours.map((v, i) => v - base[i]);
  const handler = mean(ours) - mean(base);
  const total = perRound * ROUNDS;
  const flushUs = (flushMs * 1000) / total;
  return {
    events: total, rounds: ROUNDS,
    baselineUsPerEvent: mean(base), withRecorderUsPerEvent: mean(ours),
    handlerUsPerEvent: handler, emptyListenerUsPerEvent: mean(empty) - mean(base),
    coalescedReadUsPerEvent: mean(coalescedRead) - mean(base), handlerUsPerEventP50: q(diff, 0.5), handlerUsPerEventP95: q(diff, 0.95),
    flushUsPerEvent: flushUs, totalUsPerEvent: handler + flushUs, recorded,
    bytesPerEvent: 8 + 1 + 4 + 4 + 1 + 1 + 1 + 4 + 4,
    rrweb: {
      version: rrweb.version ?? 'unknown',
      defaultUsPerEvent: mean(rrDefault) - mean(base), everyMoveUsPerEvent: mean(rrEvery) - mean(base),
      defaultPositionsPerEvent: rrDefaultPos / total, everyMovePositionsPerEvent: rrEveryPos / total,
    },
  };
}
