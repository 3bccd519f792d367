/**
 * The export stream's end: a transforming search streams preview sets, each ending with its own
 * `lastrow`; only the final set's (`preview: false`) ends the answer. Zero results end with a bare
 * `{"preview":false,"lastrow":true}`. Parser and client, with a scripted fetch.
 */
import { describe, expect, it } from 'vitest';
import { ExportStreamParser } from '../../../src/core/splunk/search';
import { exportSearch } from '../../../src/splunk/searchClient';

const previewSet = [
  '{"preview":true,"offset":0,"result":{"segment":"customer","count":"3"}}',
  '{"preview":true,"offset":1,"lastrow":true,"result":{"segment":"other","count":"1"}}',
];
const previewSet2 = [
  '{"preview":true,"offset":0,"result":{"segment":"customer","count":"7"}}',
  '{"preview":true,"offset":1,"lastrow":true,"result":{"segment":"other","count":"2"}}',
];
const finalSet = [
  '{"preview":false,"offset":0,"result":{"segment":"customer","count":"9"}}',
  '{"preview":false,"offset":1,"lastrow":true,"result":{"segment":"other","count":"4"}}',
];

function parse(lines: string[]) {
  const p = new ExportStreamParser();
  const items = p.push(lines.join('\n') + '\n');
  const end = p.end();
  return { items: [...items, ...end.items], summary: end.summary };
}

describe('export stream end', () => {
  it('preview sets do not end the answer; the final set does', () => {
    expect(parse([...previewSet, ...previewSet2]).summary.sawLastRow).toBe(false);
    const all = parse([...previewSet, ...previewSet2, ...finalSet]);
    expect(all.summary.sawLastRow).toBe(true);
    expect(all.items.filter((i) => i.kind === 'result' && !i.preview).map((i) => i.kind === 'result' && i.row.count)).toEqual(['9', '4']);
  });

  it('zero results: the bare final marker ends the answer with no rows', () => {
    const r = parse(['{"preview":false,"lastrow":true}']);
    expect(r.summary.sawLastRow).toBe(true);
    expect(r.items).toHaveLength(0);
  });
});

const stream = (lines: string[]) => (async () => new Response(lines.map((l) => l + '\n').join(''), { status: 200 })) as unknown as typeof fetch;
const conn = { mgmtUrl: 'http://splunk.test:8089', token: 't' };

describe('exportSearch', () => {
  it('counts only final rows, complete only after the final lastrow', async () => {
    const r = await exportSearch(conn, { search: '| stats count by segment' }, { fetch: stream([...previewSet, ...previewSet2, ...finalSet]) });
    expect(r.rows).toBe(2);
    expect(r.rowsData.map((x) => x.count)).toEqual(['9', '4']);
    expect(r.complete).toBe(true);
  });

  it('a stream cut after preview sets is not complete (it used to pass as an empty answer)', async () => {
    const r = await exportSearch(conn, { search: '| stats count by segment' }, { fetch: stream([...previewSet, ...previewSet2]) });
    expect(r.rows).toBe(0);
    expect(r.complete).toBe(false);
  });

  it('zero results with the bare marker are complete; an empty body is not', async () => {
    expect((await exportSearch(conn, { search: 'index=x' }, { fetch: stream(['{"preview":false,"lastrow":true}']) })).complete).toBe(true);
    expect((await exportSearch(conn, { search: 'index=x' }, { fetch: stream([]) })).complete).toBe(false);
  });
});
