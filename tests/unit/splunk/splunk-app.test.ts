/**
 * The Splunk app under splunk-app/pointerprint: its .conf files pass a spec-based linter with
 * AppInspect-style rules, and its own SPL (alert and dashboard panels) runs against the local peer
 * where the peer's SPL subset allows, and is parsed otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintApp, lintConfText, parseConf } from './splunkAppLint';
import { startSplunkLocal, DEV_HEC_TOKEN, DEV_SEARCH_TOKEN, type SplunkLocal } from '../../../server/splunk-local';
import { splitPipes, type StoredEvent } from '../../../server/spl';
import { SOURCETYPE_GROUP_SCORE, SOURCETYPE_POINTER, SOURCETYPE_SCORE, scoreEnvelope } from '../../../src/core/splunk/hec';
import type { GroupLiveScore } from '../../../src/core/score';

const APP = join(process.cwd(), 'splunk-app', 'pointerprint');
const conf = (name: string) => parseConf(readFileSync(join(APP, 'default', name), 'utf8')).stanzas;

describe('splunk-app linter', () => {
  it('finds nothing wrong with the app', () => {
    expect(lintApp(APP)).toEqual([]);
  });

  it('has a props.conf stanza for every sourcetype Pointerprint sends, and fields.conf indexes every pp_* field it sends', () => {
    const props = new Set(conf('props.conf').map((c) => c.name));
    for (const st of [SOURCETYPE_POINTER, SOURCETYPE_SCORE, SOURCETYPE_GROUP_SCORE]) expect(props).toContain(st);
    const fields = new Set(conf('fields.conf').map((c) => c.name));
    for (const f of ['pp_event_id', 'pp_session', 'pp_profile', 'pp_label', 'pp_decision', 'pp_group']) expect(fields).toContain(f);
  });

  it('flags what AppInspect and the .spec files would (the app as it was)', () => {
    const rules = (name: string, text: string) => lintConfText(name, text).map((p) => p.rule);
    expect(rules('props.conf', '[pointerprint:pointer]\nTRUNCATE = 0\nKV_MOD = json\n')).toEqual(['unknown-key']);
    expect(rules('savedsearches.conf', '[a]\nsearch = x\ndispatch.index_earliset = -10m\n')).toEqual(['unknown-key']);
    expect(rules('app.conf', '[instal]\nbuild = 1\n')).toEqual(['unknown-stanza']);
    expect(rules('macros.conf', 'this line has no equals sign\n')).toEqual(['syntax']);
    const dir = mkdtempSync(join(tmpdir(), 'pp-app-'));
    const old = join(dir, 'pointerprint');
    mkdirSync(join(old, 'default', 'data', 'ui', 'views'), { recursive: true });
    writeFileSync(join(old, 'default', 'app.conf'), '[install]\nis_configured = true\n[ui]\nis_visible = true\nlabel = P\n[launcher]\nversion = 0.1.0\n[package]\nid = pointerprint\n');
    writeFileSync(join(old, 'default', 'props.conf'), '[pointerprint:pointer]\nTRUNCATE = 0\n');
    writeFileSync(join(old, 'default', 'data', 'ui', 'views', 'v.xml'), '<form theme="dark"><label>x</label></form>');
    writeFileSync(join(old, 'README.txt'), 'see docs');
    const found = new Set(lintApp(old).map((p) => p.rule));
    expect([...found].sort()).toEqual(['icon', 'id-name', 'id-version', 'is-configured', 'nav', 'simplexml-version', 'truncate-bounded']);
  });
});

// ------------------------------------------------------------------------------- the app's SPL

const macros = new Map(conf('macros.conf').map((s) => [s.name, s.keys.get('definition')!.value]));

/** Expand `macro` references like Splunk (macros without arguments). */
function expandMacros(spl: string): string {
  return spl.replace(/`([\w.-]+)`/g, (_, m: string) => {
    const d = macros.get(m);
    if (d === undefined) throw new Error(`unknown macro ${m}`);
    return d;
  });
}

function xmlUnescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

const dashboard = readFileSync(join(APP, 'default', 'data', 'ui', 'views', 'pointerprint_scores.xml'), 'utf8');
const panelQueries = [...dashboard.matchAll(/<query>([\s\S]*?)<\/query>/g)].map((m) => xmlUnescape(m[1]).replace(/\$profile\$/g, '*'));
const alert = conf('savedsearches.conf').find((s) => s.name === 'Pointerprint - mismatch decision')!;
const alertKey = (k: string) => alert.keys.get(k)?.value;

/** Splunk search commands the app may use (a parse check for what the peer cannot run). */
const SPLUNK_COMMANDS = new Set(['search', 'where', 'stats', 'timechart', 'eval', 'sort', 'dedup', 'table', 'fields', 'head', 'rename', 'lookup', 'inputlookup', 'outputlookup']);

function parseOnly(spl: string): void {
  expect((spl.match(/"/g) ?? []).length % 2, `unbalanced quotes in ${spl}`).toBe(0);
  expect((spl.match(/\(/g) ?? []).length, `unbalanced parentheses in ${spl}`).toBe((spl.match(/\)/g) ?? []).length);
  expect(spl).not.toMatch(/\$[\w.]+\$/); // every dashboard token substituted
  for (const stage of splitPipes(spl.trim().replace(/^search\s+/, ''))) {
    expect(stage, 'empty pipeline stage').not.toBe('');
  }
  for (const stage of splitPipes(spl).slice(1)) {
    const cmd = /^(\w+)/.exec(stage)?.[1] ?? '';
    expect(SPLUNK_COMMANDS.has(cmd), `'${cmd}' is not a command the app may use (| rest ignores the time picker)`).toBe(true);
  }
}

describe('the app\'s SPL against the local peer', () => {
  let peer: SplunkLocal;
  const now = Date.now();
  const groupScore = (n: number, windowGroup: string, leadingGroup: string | null, atEpochMs: number): GroupLiveScore => ({
    id: `g-1:${n}`, sessionId: 'g-1', profileId: 'visitor-7', modelId: 'm-group', windowIndex: n, windowGroup, windowProba: { bots: 0.5, humans: 0.5 }, notPeople: 0.5, notPeopleThreshold: 0.9,
    windowsSeen: n, shares: {}, leadingGroup, windowClockMs: 20, clock: { sessionMs: 20, referenceLowMs: 20, referenceHighMs: 24, comparable: true }, flags: [], atEpochMs,
  });
  const score = (o: Record<string, unknown>) => ({ v: 1, type: 'score', modelId: 'm1', windowIndex: 3, windowScore: 0.1, confidence: 0.9, windowsSeen: 4, flags: [], threshold: 0.42, ...o });

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pp-app-spl-'));
    // A mismatch indexed an hour ago: an earlier alert run saw it; this one must not.
    const old: StoredEvent = { serial: 0, timeMs: now - 3_700_000, indexTimeMs: now - 3_600_000, index: 'pointerprint', host: 'h', source: 'pointerprint', sourcetype: 'pointerprint:score', fields: {}, raw: JSON.stringify(score({ eventId: 'e-old', id: 'e-old', sessionId: 's-old', profileId: 'alice', decision: 'mismatch', fusedScore: 0.05, atEpochMs: now - 3_700_000 })) };
    writeFileSync(join(dataDir, 'events.jsonl'), JSON.stringify(old) + '\n');
    peer = await startSplunkLocal({ port: 0, dataDir });
    const env = (o: Record<string, unknown>, timeMs: number) => JSON.stringify({ time: timeMs / 1000, sourcetype: 'pointerprint:score', index: 'pointerprint', event: o });
    const body = [
      // computed 2 hours ago in a browser that was offline: arrives now (late) — must alert
      env(score({ eventId: 'e1', id: 'e1', sessionId: 's-late', profileId: 'bob', decision: 'mismatch', fusedScore: 0.12, atEpochMs: now - 7_200_000 }), now - 7_200_000),
      env(score({ eventId: 'e1', id: 'e1', sessionId: 's-late', profileId: 'bob', decision: 'mismatch', fusedScore: 0.12, atEpochMs: now - 7_200_000 }), now - 7_200_000), // resent duplicate
      env(score({ eventId: 'e2', id: 'e2', sessionId: 's-ok', profileId: 'alice', decision: 'match', fusedScore: 0.93, atEpochMs: now - 60_000 }), now - 60_000),
      env(score({ eventId: 'e3', id: 'e3', sessionId: 's-wait', profileId: 'carol', decision: 'not_yet', fusedScore: 0.5, atEpochMs: now - 30_000 }), now - 30_000),
      // A group model's scores, as the app and the embed send them: its first window people, then two flagged (one resent).
      ...[groupScore(1, 'humans', 'humans', now - 50_000), groupScore(2, 'bots', null, now - 40_000), groupScore(3, 'bots', 'bots', now - 20_000), groupScore(3, 'bots', 'bots', now - 20_000)]
        .map((g) => JSON.stringify(scoreEnvelope(g, { index: 'pointerprint' }))),
    ].join('\n');
    const r = await fetch(`${peer.url}/services/collector/event`, { method: 'POST', headers: { Authorization: `Splunk ${DEV_HEC_TOKEN}` }, body });
    expect(r.status).toBe(200);
  });
  afterAll(async () => { await peer?.close(); });

  async function run(search: string, extra: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const r = await fetch(`${peer.url}/services/search/jobs/export`, {
      method: 'POST', headers: { Authorization: `Bearer ${DEV_SEARCH_TOKEN}` },
      body: new URLSearchParams({ search: `search ${search}`, output_mode: 'json', preview: 'false', ...extra }),
    });
    const text = await r.text();
    expect(r.status, text).toBe(200);
    return text.trim().split('\n').map((l) => JSON.parse(l) as { result?: Record<string, unknown> }).flatMap((l) => (l.result ? [l.result] : []));
  }

  it('the alert windows on index time, fires on decision=mismatch once per session, and its event feeds "Alerts fired"', async () => {
    expect(alertKey('dispatch.index_earliest')).toBeTruthy();
    expect(alertKey('alert.suppress')).toBe('1');
    expect(alertKey('alert.suppress.fields')).toBe('sessionId');
    expect(alertKey('search')).not.toMatch(/fusedScore\s*</); // no constant threshold
    const rows = await run(expandMacros(alertKey('search')!), {
      earliest_time: alertKey('dispatch.earliest_time')!, latest_time: alertKey('dispatch.latest_time')!,
      index_earliest: alertKey('dispatch.index_earliest')!, index_latest: alertKey('dispatch.index_latest')!,
    });
    expect(rows.map((r) => r.sessionId)).toEqual(['s-late']);
    expect(rows[0]).toMatchObject({ profileId: 'bob', modelId: 'm1', fused_score: '0.12', threshold: '0.42' });
    // What the Log Event action writes: the template with $result.x$ filled in must be JSON.
    const event = alertKey('action.logevent.param.event')!
      .replace(/\$result\.(\w+)\$/g, (_, f: string) => String(rows[0][f] ?? ''))
      .replace(/\$name\$/g, alert.name).replace(/\$trigger_time\$/g, String(Math.floor(now / 1000)));
    const parsed = JSON.parse(event) as Record<string, string>;
    expect(parsed).toMatchObject({ type: 'alert', sessionId: 's-late', profileId: 'bob' });
    const w = await fetch(`${peer.url}/services/collector/event`, { method: 'POST', headers: { Authorization: `Splunk ${DEV_HEC_TOKEN}` }, body: JSON.stringify({ event: parsed, index: alertKey('action.logevent.param.index'), sourcetype: alertKey('action.logevent.param.sourcetype') }) });
    expect(w.status).toBe(200);
    const firedPanel = panelQueries.find((q) => q.includes('pointerprint:alert') && /stats count AS alerts\s*$/.test(q))!;
    expect(await run(expandMacros(firedPanel), { earliest_time: '-24h' })).toEqual([{ alerts: '1' }]);
  });

  it('the old _time window would have missed the late score', async () => {
    const rows = await run(expandMacros(alertKey('search')!), { earliest_time: '-10m', latest_time: 'now' });
    expect(rows).toEqual([]);
  });

  it('every dashboard panel runs on the peer or parses, and none uses | rest', async () => {
    let ran = 0;
    for (const q of panelQueries) {
      const spl = expandMacros(q);
      parseOnly(spl);
      const cmds = splitPipes(spl).slice(1).map((s) => /^(\w+)/.exec(s)?.[1]);
      if (cmds.every((c) => ['search', 'where', 'stats', 'sort', 'dedup', 'table', 'fields', 'head'].includes(c!)) && !/\|\s*sort\s+-\s/.test(spl)) {
        await run(spl, { earliest_time: '-24h' });
        ran++;
      }
    }
    expect(panelQueries.length).toBeGreaterThanOrEqual(6);
    expect(ran).toBeGreaterThanOrEqual(4);
    const mismatch = panelQueries.find((q) => q.includes('decision="mismatch"'))!;
    expect(await run(expandMacros(mismatch), { earliest_time: '-24h' })).toEqual([{ sessions: '2' }]); // s-late and s-old (by _time)
  });

  it('the group models\' panel: per session, the group most windows went to at its latest score (resends folded); verification panels never count group scores', async () => {
    const panel = panelQueries.find((q) => q.includes('pointerprint:group_score'))!;
    const spl = expandMacros(panel).split(/\|\s*eval/)[0]; // the peer runs no eval: the stats part
    const rows = await run(spl, { earliest_time: '-24h' });
    expect(rows).toEqual([expect.objectContaining({ modelId: 'm-group', profileId: 'visitor-7', sessionId: 'g-1', leading_group: 'bots', clock_comparable: 'true', windows: '3' })]);
    const scored = panelQueries.find((q) => q.includes('AS sessions') && !q.includes('decision='))!;
    expect(await run(expandMacros(scored), { earliest_time: '-24h' })).toEqual([{ sessions: '4' }]); // s-late, s-ok, s-wait, s-old: not g-1
  });
});
