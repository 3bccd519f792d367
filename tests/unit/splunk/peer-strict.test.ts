/**
 * The local peer is as strict as splunkd where Pointerprint could be caught out: TRUNCATE on _raw,
 * preview sets and the bare zero-results line on export, HEC codes 21/22, index-time windows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplunkLocal, truncateRaw, DEV_HEC_TOKEN, DEV_DISABLED_TOKEN, DEV_SEARCH_TOKEN, type SplunkLocal } from '../../../server/splunk-local';
import { runSearch, type StoredEvent } from '../../../server/spl';

let peer: SplunkLocal;
beforeAll(async () => { peer = await startSplunkLocal({ port: 0 }); });
afterAll(async () => { await peer?.close(); });

const post = (p: SplunkLocal, body: string, token = DEV_HEC_TOKEN) =>
  fetch(`${p.url}/services/collector/event`, { method: 'POST', headers: { Authorization: `Splunk ${token}` }, body });

async function exportLines(p: SplunkLocal, search: string, extra: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const r = await fetch(`${p.url}/services/search/jobs/export`, { method: 'POST', headers: { Authorization: `Bearer ${DEV_SEARCH_TOKEN}` }, body: new URLSearchParams({ search, output_mode: 'json', earliest_time: '0', ...extra }) });
  expect(r.status).toBe(200);
  return (await r.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('TRUNCATE', () => {
  it('cuts _raw at 10,000 bytes by default, so a longer JSON event is no longer JSON', async () => {
    const columns = { x: Array.from({ length: 2500 }, (_, i) => i * 1.5) };
    const r = await post(peer, JSON.stringify({ event: { type: 'pointer', columns }, sourcetype: 'pp:long', index: 'pointerprint' }));
    expect(r.status).toBe(200);
    const e = peer.events().find((x) => x.sourcetype === 'pp:long')!;
    expect(Buffer.byteLength(e.raw)).toBe(10_000);
    expect(() => JSON.parse(e.raw)).toThrow();
  });

  it('rounds down to a character boundary, like props.conf says', () => {
    const s = 'a'.repeat(9) + 'é'; // 'é' takes bytes 9 and 10
    expect(truncateRaw(s, 10)).toBe('a'.repeat(9));
    expect(truncateRaw(s, 11)).toBe(s);
    expect(truncateRaw(s, 0)).toBe(s);
  });

  it('is configurable, globally and per sourcetype (0 = never)', async () => {
    const p = await startSplunkLocal({ port: 0, truncateBytes: 50, truncateBySourcetype: { 'pp:whole': 0 } });
    try {
      const long = 'z'.repeat(200);
      await post(p, JSON.stringify({ event: long, sourcetype: 'pp:cut', index: 'main' }) + JSON.stringify({ event: long, sourcetype: 'pp:whole', index: 'main' }));
      expect(p.events().find((e) => e.sourcetype === 'pp:cut')!.raw).toBe('z'.repeat(50));
      expect(p.events().find((e) => e.sourcetype === 'pp:whole')!.raw).toBe(long);
    } finally { await p.close(); }
  });
});

describe('export stream', () => {
  it('ends zero results with a bare {"preview":false,"lastrow":true}', async () => {
    const lines = await exportLines(peer, 'search index=pointerprint sourcetype="pp:nothing-here"');
    expect(lines).toEqual([{ preview: false, lastrow: true }]);
  });

  it('streams preview sets for a transforming search, each ending with lastrow, then the final set', async () => {
    const p = await startSplunkLocal({ port: 0 });
    try {
      const ev = (profile: string) => JSON.stringify({ event: { profileId: profile }, sourcetype: 'pp:stats', index: 'main' });
      await post(p, ev('alice') + ev('alice'));
      await post(p, ev('bob') + ev('carol'));
      const lines = await exportLines(p, 'search sourcetype="pp:stats" | stats count by profileId');
      const preview = lines.filter((l) => l.preview === true);
      const final = lines.filter((l) => l.preview === false);
      expect(preview.length).toBeGreaterThan(0);
      expect(lines.indexOf(final[0])).toBeGreaterThan(lines.indexOf(preview.at(-1)!)); // final set comes last
      for (const set of [preview, final]) {
        expect(set.map((l) => l.offset)).toEqual(set.map((_, i) => i));
        expect(set.filter((l) => l.lastrow)).toEqual([set.at(-1)]);
      }
      expect(final.map((l) => l.result)).toEqual([{ profileId: 'alice', count: '2' }, { profileId: 'bob', count: '1' }, { profileId: 'carol', count: '1' }]);
      // preview=false asks for the final set only; an event search never streams previews
      expect((await exportLines(p, 'search sourcetype="pp:stats" | stats count', { preview: 'false' })).every((l) => l.preview === false)).toBe(true);
      expect((await exportLines(p, 'search sourcetype="pp:stats"')).every((l) => l.preview === false)).toBe(true);
    } finally { await p.close(); }
  });
});

describe('HEC token errors', () => {
  it('answers codes 4/1 with HTTP 403 by default and 21/22 with HTTP 400 when asked', async () => {
    const bad = await post(peer, '{"event":"x"}', 'nope');
    expect([bad.status, await bad.json()]).toEqual([403, { text: 'Invalid token', code: 4 }]);
    const p = await startSplunkLocal({ port: 0, tokenErrors: '400' });
    try {
      const r21 = await post(p, '{"event":"x"}', 'nope');
      expect([r21.status, await r21.json()]).toEqual([400, { text: 'Invalid token', code: 21 }]);
      const r22 = await post(p, '{"event":"x"}', DEV_DISABLED_TOKEN);
      expect([r22.status, await r22.json()]).toEqual([400, { text: 'Token disabled', code: 22 }]);
    } finally { await p.close(); }
  });
});

describe('SPL subset: index time, comparisons, stats', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const mk = (serial: number, raw: object, timeMs: number, indexTimeMs: number): StoredEvent => ({ serial, timeMs, indexTimeMs, index: 'pointerprint', host: 'h', source: 's', sourcetype: 'pointerprint:score', raw: JSON.stringify(raw), fields: {} });
  const events = [
    // computed an hour ago in the browser, indexed a minute ago: a late score
    mk(0, { sessionId: 's1', decision: 'mismatch', fusedScore: 0.1 }, now - 3_600_000, now - 60_000),
    mk(1, { sessionId: 's2', decision: 'match', fusedScore: 0.9 }, now - 60_000, now - 60_000),
    mk(2, { sessionId: 's3', decision: 'mismatch', fusedScore: 0.2 }, now - 7_200_000, now - 7_200_000),
  ];
  it('windows on index time with _index_earliest, whatever _time says', () => {
    const out = runSearch({ search: 'search index=pointerprint decision="mismatch" _index_earliest=-10m' }, events, now);
    expect(out.rows.map((r) => r.sessionId)).toEqual(['s1']);
    const byTime = runSearch({ search: 'search index=pointerprint decision="mismatch" earliest=-10m' }, events, now);
    expect(byTime.rows).toHaveLength(0); // what the old alert saw
  });
  it('compares numbers and aggregates with stats', () => {
    const out = runSearch({ search: 'search index=pointerprint fusedScore<0.5 | where fusedScore >= 0.15 | stats count, min(fusedScore) AS low, values(decision) AS d by sessionId' }, events, now);
    expect(out.transforming).toBe(true);
    expect(out.rows).toEqual([{ sessionId: 's3', count: '1', low: '0.2', d: 'mismatch' }]);
    expect(runSearch({ search: 'search index=pointerprint | stats dc(decision) AS n' }, events, now).rows).toEqual([{ n: '2' }]);
  });
});
