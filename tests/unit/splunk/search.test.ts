import { describe, expect, it } from 'vitest';
import { concatChunks } from '../../../src/core/events';
import { pointerEnvelopes } from '../../../src/core/splunk/hec';
import { ExportStreamParser, buildTrainingSearch, exportParams, normalizeSpl, rowsToSessions, splQuote, trainingSetOf, type ResultRow } from '../../../src/core/splunk/search';
import { meta, sampleChunk } from './fixtures';

function rowsFor(chunks: ReturnType<typeof sampleChunk>[], m = meta, extra: Record<string, string> = {}): ResultRow[] {
  return chunks.flatMap((c) => pointerEnvelopes(c, m, {})).map((e) => ({ _raw: JSON.stringify(e.event), _time: 'x', ...e.fields, ...extra }));
}

describe('SPL builder', () => {
  it('quotes values and builds the training search', () => {
    expect(splQuote('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
    const spl = buildTrainingSearch({ index: 'pointerprint', profileIds: ['alice', 'bob'], where: { 'session.label': 'customer' }, maxRows: 500 }, 'segment');
    expect(spl).toBe('search index="pointerprint" sourcetype="pointerprint:pointer" (session.profileId="alice" OR session.profileId="bob") session.label="customer" | dedup eventId | head 500 | fields _raw, _time, eventId, session.id, session.profileId, session.label, segment');
    expect(() => buildTrainingSearch({ index: 'x', where: { 'bad field': 'v' } })).toThrow(/not a field name/);
  });
  it('normalises typed SPL and builds export params', () => {
    expect(normalizeSpl('index=x')).toBe('search index=x');
    expect(normalizeSpl('| makeresults')).toBe('| makeresults');
    const p = exportParams('index=x', '-24h', 'now');
    expect(Object.fromEntries(p)).toEqual({ search: 'search index=x', output_mode: 'json', earliest_time: '-24h', latest_time: 'now' });
  });
});

describe('incremental export parser', () => {
  const lines = [
    '{"preview":false,"offset":0,"result":{"a":"1"}}',
    '{"messages":[{"type":"INFO","text":"hi"}]}',
    '{"preview":false,"offset":1,"lastrow":true,"result":{"a":"é😀"}}',
  ];
  const text = lines.join('\n') + '\n';

  it('gives the same items for every chunking of the stream, including split multi-byte characters', () => {
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 3, 7, 50, bytes.length]) {
      const p = new ExportStreamParser();
      const dec = new TextDecoder();
      const items = [];
      for (let i = 0; i < bytes.length; i += size) items.push(...p.push(dec.decode(bytes.subarray(i, i + size), { stream: true })));
      items.push(...p.push(dec.decode()));
      const end = p.end();
      items.push(...end.items);
      expect(items.filter((x) => x.kind === 'result').map((x) => x.kind === 'result' && x.row.a)).toEqual(['1', 'é😀']);
      expect(items.filter((x) => x.kind === 'messages')).toHaveLength(1);
      expect(end.summary).toEqual({ truncated: false, sawLastRow: true, badLines: [] });
    }
  });

  it('detects a stream cut mid-line', () => {
    const p = new ExportStreamParser();
    const items = p.push(lines[0] + '\n' + lines[2].slice(0, 30));
    expect(items).toHaveLength(1);
    const end = p.end();
    expect(end.summary.truncated).toBe(true);
    expect(end.summary.sawLastRow).toBe(false);
  });

  it('accepts a final line without newline, and a {"results":[...]} object', () => {
    const p = new ExportStreamParser();
    p.push(lines[0] + '\n');
    expect(p.push(lines[2])).toHaveLength(0);
    expect(p.end().items).toHaveLength(1);
    const q = new ExportStreamParser();
    expect(q.push('{"preview":false,"results":[{"a":"1"},{"a":"2"}]}\n')).toHaveLength(2);
  });
});

describe('rows → sessions → training set', () => {
  it('rebuilds a session exactly (dedup, any order), with source splunk and label', () => {
    const chunks = [sampleChunk('s1', 0, 500, 0), sampleChunk('s1', 1, 300, 4200)];
    const rows = rowsFor(chunks);
    const shuffled = [...rows.slice(2), rows[1], rows[0], rows[1]]; // out of order + one duplicate
    const rep = rowsToSessions(shuffled);
    expect(rep.duplicates).toBe(1);
    expect(rep.incomplete).toBe(0);
    expect(rep.sessions).toHaveLength(1);
    const s = rep.sessions[0];
    expect(s.meta).toMatchObject({ id: 'splunk:s1', profileId: 'alice', label: 'customer', source: 'splunk', startedAtEpochMs: meta.startedAtEpochMs, eventCount: 800, devicePixelRatio: 2 });
    const want = concatChunks(chunks);
    expect(s.columns.length).toBe(800);
    expect(Array.from(s.columns.x)).toEqual(Array.from(want.x));
    expect(Array.from(s.columns.kind)).toEqual(Array.from(want.kind));
    for (let i = 0; i < 800; i++) expect(s.columns.tMs[i]).toBeCloseTo(want.tMs[i], 3);
  });

  it('flags missing parts, skips foreign rows with reasons, labels from a field', () => {
    const rows = rowsFor([sampleChunk('s1', 0, 500), sampleChunk('s1', 1, 100)]);
    rows.splice(1, 1); // lose part s1:0:400
    rows.push({ _raw: 'not json' }, { _raw: '{"type":"score"}' }, { _time: 'no raw' });
    const other = rowsFor([sampleChunk('s2', 0, 50)], { ...meta, id: 's2', profileId: 'bob', label: undefined }, { segment: 'other' });
    const rep = rowsToSessions([...rows, ...other], 'segment');
    expect(rep.incomplete).toBe(1);
    expect(rep.skipped.map((s) => s.count).reduce((a, b) => a + b)).toBe(3);
    expect(rep.sessions.find((s) => s.meta.id === 'splunk:s1')!.meta.note).toMatch(/missing/);
    const set = trainingSetOf(rep.sessions);
    expect(set.labels).toEqual(['customer', 'other']);
    expect(set.byLabel.other).toEqual(['splunk:s2']);
  });
});
