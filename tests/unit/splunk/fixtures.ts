import { columnsFromSamples, EventKind, type EventChunk, type PointerSample, type SessionMeta } from '../../../src/core/events';

export function sampleChunk(sessionId: string, seq: number, n: number, t0 = 0): EventChunk {
  const samples: PointerSample[] = Array.from({ length: n }, (_, i) => ({ tMs: t0 + i * 8.3333333, kind: i === 0 ? EventKind.Down : EventKind.Move, x: 10 + i * 1.25, y: 20 + i * 0.5, button: i === 0 ? 0 : -1, buttons: 1, pointerKind: 1, dx: 0, dy: 0 }));
  return { ...columnsFromSamples(samples), sessionId, seq };
}

export const meta: SessionMeta = { id: 's1', profileId: 'alice', label: 'customer', source: 'capture', startedAtEpochMs: 1_732_545_691_123, space: { width: 1280, height: 800 }, viewport: { width: 1280, height: 800 }, devicePixelRatio: 2, eventCount: 0, durationMs: 0 };

