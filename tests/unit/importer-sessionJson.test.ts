import { describe, it, expect } from 'vitest';
import { EventKind, PointerKind, columnsFromSamples, sampleAt, type PointerSample, type SessionMeta } from '../../src/core/events';
import { parseSessionJson, serializeBundle, serializeSession, sessionToJson } from '../../src/core/importers/sessionJson';
import { PointerprintError } from '../../src/core/errors';

const meta: SessionMeta = {
  id: 's1', profileId: 'alice', label: 'customer', source: 'capture', startedAtEpochMs: 1_764_000_000_000,
  space: { width: 1280, height: 720 }, viewport: { width: 1280, height: 720 }, devicePixelRatio: 2,
  userAgent: 'test', eventCount: 0, durationMs: 30,
};
const ev = (tMs: number, kind: EventKind, x: number, y: number, o: Partial<PointerSample> = {}): PointerSample => ({
  tMs, kind, x, y, button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0, ...o,
});
const samples = [
  ev(0, EventKind.Move, 10.5, 20.25), ev(10, EventKind.Down, 11, 21, { button: 0, buttons: 1 }),
  ev(20, EventKind.Up, 12, 22, { button: 0 }), ev(25, EventKind.Wheel, NaN, NaN, { dy: -100 }), ev(30, EventKind.Hidden, 0, 0),
];
const cols = columnsFromSamples(samples);

describe('session JSON', () => {
  it('round-trips one session exactly (NaN positions as null)', () => {
    const text = serializeSession(meta, cols);
    expect(JSON.parse(text).columns.x[3]).toBeNull();
    const [back] = parseSessionJson(text);
    // The source is not taken from the file (issue #10): every imported session is 'import-json'.
    expect(back.meta).toEqual({ ...meta, source: 'import-json', eventCount: 5 });
    expect(back.columns.length).toBe(5);
    for (let i = 0; i < 5; i++) {
      const a = sampleAt(back.columns, i), b = sampleAt(cols, i);
      expect(a).toEqual(b); // toEqual treats NaN as equal to NaN
    }
  });
  it('round-trips a bundle of sessions', () => {
    const text = serializeBundle([{ meta, columns: cols }, { meta: { ...meta, id: 's2' }, columns: columnsFromSamples(samples.slice(0, 2)) }], 123);
    const back = parseSessionJson(text);
    expect(back.map((s) => [s.meta.id, s.columns.length])).toEqual([['s1', 5], ['s2', 2]]);
  });

  const good = () => sessionToJson(meta, cols) as unknown as Record<string, any>;
  const cases: [string, () => unknown, RegExp][] = [
    ['not JSON', () => '{nope', /not JSON/],
    ['an array', () => [], /not a JSON object/],
    ['another format', () => ({ format: 'something' }), /format must be "pointerprint-session"/],
    ['a newer version', () => ({ ...good(), version: 2 }), /version is 2; this app reads version 1/],
    ['no meta', () => ({ ...good(), meta: undefined }), /session\.meta is missing/],
    ['bad source', () => ({ ...good(), meta: { ...meta, source: 'mars' } }), /meta\.source must be one of/],
    ['bad space', () => ({ ...good(), meta: { ...meta, space: { width: 0, height: 5 } } }), /meta\.space must be/],
    ['missing column', () => { const g = good(); delete g.columns.dy; return g; }, /columns\.dy must be an array/],
    ['short column', () => { const g = good(); g.columns.kind.pop(); return g; }, /columns\.kind has 4 values but tMs has 5/],
    ['string in a column', () => { const g = good(); g.columns.tMs[2] = '20'; return g; }, /columns\.tMs\[2\] must be a number, found "20"/],
    ['null in a non-position column', () => { const g = good(); g.columns.dy[1] = null; return g; }, /columns\.dy\[1\] must be a number/],
    ['unknown kind', () => { const g = good(); g.columns.kind[0] = 42; return g; }, /columns\.kind\[0\] is not a known event kind/],
    ['time going backwards', () => { const g = good(); g.columns.tMs[3] = 1; return g; }, /columns\.tMs\[3\] goes backwards/],
    ['a button the Int8 column would wrap', () => { const g = good(); g.columns.button[1] = 300; return g; }, /columns\.button\[1\] must be a whole number between -1 and 127, found 300/],
    ['a fractional buttons mask', () => { const g = good(); g.columns.buttons[0] = 1.5; return g; }, /columns\.buttons\[0\] must be a whole number/],
    ['a position beyond any screen', () => { const g = good(); g.columns.x[0] = 1e30; return g; }, /columns\.x\[0\] must be a number between/],
    ['control characters in a profile', () => ({ ...good(), meta: { ...meta, profileId: 'alice\u0007' } }), /meta\.profileId contains control characters/],
    ['an over-long note', () => ({ ...good(), meta: { ...meta, note: 'x'.repeat(5000) } }), /meta\.note is 5000 characters long/],
    ['a negative duration', () => ({ ...good(), meta: { ...meta, durationMs: -5 } }), /meta\.durationMs must be between 0/],
    ['bundle without sessions', () => ({ format: 'pointerprint-sessions', version: 1 }), /sessions must be an array/],
    ['bad session in a bundle', () => ({ format: 'pointerprint-sessions', version: 1, sessions: [good(), { ...good(), format: 'x' }] }), /sessions\[1\]\.format/],
  ];
  it.each(cases)('rejects %s with a clear message', (_n, make, msg) => {
    const v = make();
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    let caught: unknown;
    try { parseSessionJson(text); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(PointerprintError);
    expect((caught as PointerprintError).code).toBe('import/bad-json');
    expect((caught as PointerprintError).message).toMatch(msg);
  });

  it('takes no claim about origin or arrival from the file', () => {
    for (const source of ['capture', 'import-balabit', 'splunk', 'simulator'] as const) {
      const g = { ...good(), meta: { ...meta, source, storedAtEpochMs: 1, somethingElse: 'x' } };
      const [s] = parseSessionJson(JSON.stringify(g));
      expect(s.meta.source).toBe('import-json');
      expect(s.meta).not.toHaveProperty('storedAtEpochMs');
      expect(s.meta).not.toHaveProperty('somethingElse');
    }
  });
});
