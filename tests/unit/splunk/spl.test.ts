import { describe, expect, it } from 'vitest';
import { parseTimeModifier, runSearch, splitPipes, type StoredEvent } from '../../../server/spl';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const ev = (serial: number, agoMs: number, index: string, sourcetype: string, event: unknown, fields: Record<string, string> = {}): StoredEvent =>
  ({ serial, timeMs: NOW - agoMs, indexTimeMs: NOW, index, host: 'h', source: 's', sourcetype, raw: JSON.stringify(event), fields });
const events = [
  ev(0, 1000, 'pointerprint', 'pointerprint:pointer', { session: { id: 'a' }, n: 1 }, { pp_profile: 'alice', pp_event_id: 'e0' }),
  ev(1, 2000, 'pointerprint', 'pointerprint:pointer', { session: { id: 'b' }, n: 2 }, { pp_profile: 'bob', pp_event_id: 'e1' }),
  ev(2, 3000, 'pointerprint', 'pointerprint:pointer', { session: { id: 'a' }, n: 1 }, { pp_profile: 'alice', pp_event_id: 'e0' }),
  ev(3, 90_000_000, 'pointerprint', 'pointerprint:score', { fusedScore: 0.2, tags: ['x', 'y'] }, { pp_profile: 'alice' }),
  ev(4, 500, 'main', 'other', 'plain text hello', {}),
];
const run = (search: string, earliest?: string, latest?: string) => runSearch({ search, earliest_time: earliest, latest_time: latest }, events, NOW).rows;

describe('SPL subset of the local peer', () => {
  it('filters by index, sourcetype and field=value (indexed and JSON fields), newest first', () => {
    expect(run('search index=pointerprint sourcetype="pointerprint:pointer" pp_profile=alice').map((r) => r._serial)).toEqual(['0', '2']);
    expect(run('search index=pointerprint session.id=b').map((r) => r._serial)).toEqual(['1']);
    expect(run('search index=pointerprint pp_profile!=alice').map((r) => r._serial)).toEqual(['1']);
    expect(run('search index=pointer* (pp_profile=bob OR n=1) sourcetype=pointerprint:pointer').map((r) => r._serial)).toEqual(['0', '1', '2']);
    expect(run('search index=pointerprint NOT pp_profile=alice').map((r) => r._serial)).toEqual(['1']);
    expect(run('search index=pointerprint tags{}=y').map((r) => r._serial)).toEqual(['3']);
  });
  it('searches main by default, bare terms in _raw', () => {
    expect(run('search hello').map((r) => r._serial)).toEqual(['4']);
    expect(run('search *')).toHaveLength(1);
  });
  it('time range from parameters or inline', () => {
    expect(run('search index=pointerprint', '-1h')).toHaveLength(3);
    expect(run('search index=pointerprint earliest=-2s latest=now').map((r) => r._serial)).toEqual(['0', '1']);
    expect(run('search index=pointerprint', '0')).toHaveLength(4);
    expect(run('search index=pointerprint', String((NOW - 2500) / 1000))).toHaveLength(2);
  });
  it('head, fields, dedup, sort, table', () => {
    expect(run('search index=pointerprint | head 2')).toHaveLength(2);
    expect(run('search index=pointerprint sourcetype=pointerprint:pointer | dedup pp_event_id').map((r) => r._serial)).toEqual(['0', '1']);
    const f = run('search index=pointerprint | head 1 | fields pp_profile, n');
    expect(Object.keys(f[0]).sort()).toEqual(['_raw', '_time', 'n', 'pp_profile']);
    expect(Object.keys(run('search index=pointerprint | head 1 | table n')[0])).toEqual(['n']);
    expect(run('search index=pointerprint sourcetype=pointerprint:pointer | sort -n, _serial').map((r) => r._serial)).toEqual(['1', '0', '2']);
  });
  it('errors like Splunk on unknown commands and bad syntax', () => {
    expect(() => run('search index=x | frobnicate')).toThrow(/Unknown search command 'frobnicate'/);
    expect(() => run('search index="x')).toThrow(/quotes/);
  });
  it('splits pipes outside quotes; parses time modifiers', () => {
    expect(splitPipes('search a="x|y" | head 1')).toEqual(['search a="x|y"', 'head 1']);
    expect(parseTimeModifier('-24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseTimeModifier('-1d@d', NOW)).toBe(Date.UTC(2026, 10, 24));
    expect(parseTimeModifier('@h', NOW + 1234)).toBe(NOW);
    expect(parseTimeModifier('2026-11-25T00:00:00Z', NOW)).toBe(Date.UTC(2026, 10, 25));
    expect(parseTimeModifier('', NOW)).toBeNull();
  });
});
