/**
 * The embeddable build on an ordinary site (examples/plain-site): built here from source, served by a
 * plain static server with a strict Content-Security-Policy (no 'unsafe-eval') and without COOP/COEP,
 * driven with the real mouse. Events (and, with a profile, scores) must reach the local Splunk peer;
 * nothing before consent, nothing over `[data-pp-ignore]`, no listener left after stop().
 */
import { test, expect, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import * as tf from '@tensorflow/tfjs';
import { captureBuild, workerBuild } from '../../vite.embed.config';
import { buildModel, tinySpec } from '../../src/ml/model';
import { DEFAULT_ENCODING_SETTINGS, encodingFingerprint, type WindowSettings } from '../../src/core/settings';
import { APP_MODEL_FORMAT, type ProfileBundle } from '../../src/store/profiles';
import { buildFeatureModel, defaultFeatureSpec, describeFeatureModel } from '../../src/ml/featureModel';
import { FEATURE_COUNT } from '../../src/core/features';
import { fitDecisionModel } from '../../src/core/enrolmentCheck';
import { addWindowScore, liveVerdictFields, readLiveVerdict } from '../../src/core/liveVerdict';
import { emptySequential } from '../../src/core/sequential';
import { fitPeopleReference } from '../../src/core/peopleReference';
import { addGroupWindow, emptyGroupTally, groupRuleOf, groupTallyFields } from '../../src/core/groupTally';
import { startPeer } from './splunk-helpers';
import type { SplunkLocal } from '../../server/splunk-local';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

let distDir = '';
let site: Server;
let origin = '';
let peer: SplunkLocal & { dataDir: string };
let profile: ProfileBundle;
let profileJson = '';
/** The same bundle as an export from before calibrated decisions (format v1): refused with words. */
let profileV1Json = '';
/** A group model (humans vs bots) exported from the Groups view. */
let groupProfile: ProfileBundle;
let groupProfileJson = '';

/**
 * A tiny verification profile in the app's export format v2: image CNN plus kinematic-feature branch
 * (fused per window), and a decision model fitted by the app's own `fitDecisionModel`. The weights are
 * untrained and the decision model is fitted on stand-in validation scores, so verdicts are arbitrary:
 * the wiring, and that the worker decides as the app's core functions do, is what is tested.
 */
async function makeProfile(): Promise<ProfileBundle> {
  await tf.setBackend('cpu');
  const spec = tinySpec(32, 2, { kind: 'verification' });
  const ws: WindowSettings = { mode: 'events', eventsPerWindow: 120, spanMs: 30_000, idleGapMs: 5_000, minMoveEvents: 20, minPathFraction: 0.02 };
  const es = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 32 };
  const model = buildModel(spec, 7);
  const featureSpec = defaultFeatureSpec(2);
  const featureNet = buildFeatureModel(featureSpec, 3);
  const featureModel = await describeFeatureModel(featureNet, featureSpec, { mean: new Array(FEATURE_COUNT).fill(0), sd: new Array(FEATURE_COUNT).fill(1) });
  featureNet.dispose();
  // Stand-in validation windows: mostly separated, one overlap each way (a finite calibration).
  const decision = fitDecisionModel({
    scores: [0.9, 0.8, 0.75, 0.6, 0.55, 0.45, 0.3, 0.2, 0.15, 0.05],
    positives: [true, true, true, false, true, false, true, false, false, false],
  });
  let bundle: ProfileBundle | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    const fingerprint = encodingFingerprint(ws, es);
    bundle = {
      format: 'pointerprint-profile', formatVersion: APP_MODEL_FORMAT,
      profile: { id: 'alice', name: 'Alice', kind: 'verification', createdAtEpochMs: Date.now(), windows: 0, windowSettings: ws, encoding: es, fingerprint, modelId: 'm-test', quality: null, trainedAgainst: null, history: [], backend: 'cpu', decision, formatVersion: APP_MODEL_FORMAT },
      model: { id: 'm-test', kind: 'verification', url: 'indexeddb://pointerprint-model-m-test', spec, classNames: ['others', 'Alice'], fingerprint, windowSettings: ws, encoding: es, createdAtEpochMs: Date.now(), backend: 'cpu', tfjsVersion: tf.version.tfjs, formatVersion: APP_MODEL_FORMAT, featureModel, fusionWeight: 0.5 },
      modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightsBase64: Buffer.from(a.weightData as ArrayBuffer).toString('base64'),
    };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return bundle!;
}

/**
 * The same, as a group model exported from the Groups view (humans vs bots, group 1 = people): no
 * decision model, a "not like people" reference fitted by the app's own `fitPeopleReference` on
 * made-up feature rows. Untrained weights again: the wiring and the tally rule are what is tested.
 */
function makeGroupProfile(verification: ProfileBundle): ProfileBundle {
  const b = JSON.parse(JSON.stringify(verification)) as ProfileBundle;
  const rows = (count: number, seed: number) => ({ dim: FEATURE_COUNT, count, values: Float64Array.from({ length: count * FEATURE_COUNT }, (_, i) => 1 + ((i * 7919 + seed * 104729) % 997) / 997) });
  b.profile = { ...b.profile, id: 'group-humans-vs-bots', name: 'humans-vs-bots', kind: 'group', modelId: 'm-group', decision: null };
  b.model = { ...b.model, id: 'm-group', url: 'indexeddb://pointerprint-model-m-group', kind: 'group', spec: { ...b.model.spec, kind: 'group' }, classNames: ['bots', 'humans'] };
  b.model.featureModel = { ...b.model.featureModel!, people: JSON.parse(JSON.stringify(fitPeopleReference(1, rows(30, 1), rows(10, 2), Array.from({ length: 10 }, (_, i) => i / 20), Array(30).fill(20)))) };
  return b;
}

/** A plain static server: the repository's example, the fresh build under /dist-embed, the profile. */
function serve(): Promise<Server> {
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body: Buffer | string | null = null;
    let path = decodeURIComponent(url.pathname);
    if (path.endsWith('/')) path += 'index.html';
    if (path === '/profile.json') body = profileJson;
    else if (path === '/profile-v1.json') body = profileV1Json;
    else if (path === '/profile-group.json') body = groupProfileJson;
    else if (path === '/blank.html') body = '<!doctype html><title>blank</title><p>A page without Pointerprint.</p>';
    else {
      const file = path.startsWith('/dist-embed/') ? join(distDir, path.slice('/dist-embed/'.length)) : join(root, normalize(path));
      if ((file.startsWith(root) || file.startsWith(distDir)) && existsSync(file)) body = readFileSync(file);
    }
    if (body === null) { res.writeHead(404); res.end(); return; }
    if (path === '/examples/plain-site/index.html') body = body.toString().replace("'http://127.0.0.1:8088'", JSON.stringify(peer.url));
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      // What a careful site sends: no eval anywhere, scripts and workers from itself, Splunk the only other host.
      'Content-Security-Policy': `default-src 'self'; script-src 'self' 'unsafe-inline'; worker-src 'self'; connect-src 'self' ${peer.url}; style-src 'self'`,
    });
    res.end(body);
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  distDir = mkdtempSync(join(tmpdir(), 'pp-embed-dist-'));
  await build(captureBuild(distDir));
  await build(workerBuild(distDir));
  profile = await makeProfile();
  profileJson = JSON.stringify(profile);
  groupProfile = makeGroupProfile(profile);
  groupProfileJson = JSON.stringify(groupProfile);
  profileV1Json = JSON.stringify({ ...profile, formatVersion: 1, profile: { ...profile.profile, decision: undefined, formatVersion: 1 } });
  site = await serve();
  const a = site.address();
  origin = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  // Only the example site's origin may call the peer (the peer's CORS allow-list).
  peer = await startPeer({ corsOrigins: [origin] });
});

test.afterAll(async () => {
  await peer?.close();
  await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
  rmSync(distDir, { recursive: true, force: true });
});

interface WireColumns { tMs: number[]; kind: number[]; x: number[]; y: number[] }
function pointerEvents(sessionFilter?: string): { sessionId: string; columns: WireColumns }[] {
  return peer.events()
    .filter((e) => e.sourcetype === 'pointerprint:pointer')
    .map((e) => JSON.parse(e.raw) as { session: { id: string }; columns: WireColumns })
    .filter((e) => !sessionFilter || e.session.id === sessionFilter)
    .map((e) => ({ sessionId: e.session.id, columns: e.columns }));
}

async function center(page: Page, sel: string): Promise<{ x: number; y: number }> {
  const b = (await page.locator(sel).first().boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Move like a person, in many small steps, to an element and click it. */
async function clickLike(page: Page, sel: string, steps = 30): Promise<void> {
  const c = await center(page, sel);
  await page.mouse.move(c.x, c.y, { steps });
  await page.mouse.down();
  await page.mouse.up();
}

async function listenerCount(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  let n = 0;
  for (const expression of ['window', 'document']) {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
    n += listeners.length;
    if (process.env.PP_DEBUG_LISTENERS) console.log(expression, listeners.map((l) => l.type).join(','));
  }
  await cdp.detach();
  return n;
}

const status = (page: Page) => page.locator('#pp-status');
const flushAll = (page: Page) => page.evaluate(() => (globalThis as unknown as { Pointerprint: { start(o: unknown): { flush(): Promise<void> } } }).Pointerprint.start({}).flush());

/**
 * A visitor who agrees and moves about the example site while the page scores against `profilePath`:
 * waits for `statusText` in the site's status line, then for at least two `sourcetype` events in Splunk
 * and every score the worker made so far (windowsSeen 1..n all there). Returns them and any CSP problem.
 */
async function scoredVisit(page: Page, user: string, profilePath: string, statusText: string, sourcetype: string) {
  peer.reset();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  await page.goto(`${origin}/examples/plain-site/index.html?user=${user}&profile=${profilePath}`);
  await clickLike(page, '#consent-yes');
  await expect(status(page)).toContainText('recording');
  // Enough movement for a few 120-event windows: back and forth across the page.
  for (let r = 0; r < 4; r++) {
    await clickLike(page, '#email', 60);
    await clickLike(page, '#pay', 60);
    await clickLike(page, '#cart .qty', 60);
  }
  await expect(status(page)).toContainText(statusText, { timeout: 90_000 });
  await flushAll(page);
  const events = () => peer.events().filter((e) => e.sourcetype === sourcetype).map((e) => JSON.parse(e.raw) as Record<string, any>);
  await expect.poll(() => {
    const seen = new Set(events().map((s) => s.windowsSeen as number));
    return seen.size >= 2 && Math.max(...seen) === seen.size;
  }, { timeout: 30_000 }).toBe(true);
  return { problems, scores: events() };
}

test('a plain site: no capture before consent, events in Splunk, ignored card box, clean stop', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  await page.goto(`${origin}/examples/plain-site/index.html`);
  await expect(status(page)).toContainText('waiting-consent');
  const globals = await page.evaluate(() => Object.keys(window).filter((k) => /pointerprint/i.test(k)));
  expect(globals).toEqual(['Pointerprint']);

  // Before consent: move and click around; nothing may be captured or sent.
  await clickLike(page, '#email');
  await clickLike(page, '#cart .qty');
  await page.waitForTimeout(1500);
  expect(pointerEvents()).toEqual([]);

  await clickLike(page, '#consent-yes');
  await expect(status(page)).toContainText('recording');
  // What a page that never loaded Pointerprint has on window and document after the same kind of input
  // (Playwright installs listeners of its own on first input).
  const blank = await page.context().newPage();
  await blank.goto(`${origin}/blank.html`);
  await expect(blank.locator('p')).toContainText('without');
  await clickLike(blank, 'p');
  const listenersWithout = await listenerCount(blank);
  await blank.close();
  expect(await listenerCount(page)).toBeGreaterThan(listenersWithout);

  await clickLike(page, '#email');
  await page.keyboard.type('alice@example.com');
  await clickLike(page, '#password');
  await page.keyboard.type('correct horse');
  await clickLike(page, '#sign-in');
  for (const _ of [0, 1]) await clickLike(page, '#cart .qty');
  await clickLike(page, '#card-name');
  // Across the ignored card box and inside it.
  await clickLike(page, '#card-number', 40);
  await clickLike(page, '#card-expiry', 20);
  await clickLike(page, '#pay', 40);
  await flushAll(page);

  const box = (await page.locator('#card-box').boundingBox())!;
  const tally = () => {
    let moves = 0, inside = 0, downs = 0, idle = 0;
    for (const { columns: c } of pointerEvents()) {
      for (let i = 0; i < c.kind.length; i++) {
        const k = c.kind[i];
        if (k === 10) idle++;
        if (k > 3) continue; // markers carry no pointer position
        if (k === 0) moves++;
        if (k === 1) downs++;
        if (c.x[i] >= box.x && c.x[i] <= box.x + box.width && c.y[i] >= box.y && c.y[i] <= box.y + box.height) inside++;
      }
    }
    return { moves, inside, downs, idle };
  };
  // Batches reach the peer one by one: wait until the last clicks have arrived, not just the first moves.
  // Clicks outside the box are captured (email, password, sign in, 2 × +, name, pay): at least 7 downs.
  await expect.poll(() => { const t = tally(); return t.moves > 100 && t.downs >= 7; }, { timeout: 20_000 }).toBe(true);
  const events = pointerEvents();
  expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
  const { inside, idle } = tally();
  expect(inside).toBe(0);
  // Entering the box broke the stroke.
  expect(idle).toBeGreaterThanOrEqual(1);

  // stop(): everything sent, every listener gone, nothing captured afterwards.
  await page.evaluate(() => (globalThis as unknown as { Pointerprint: { start(o: unknown): { stop(): Promise<void> } } }).Pointerprint.start({}).stop());
  await expect(status(page)).toContainText('stopped');
  expect(await listenerCount(page)).toBe(listenersWithout);
  const sent = pointerEvents().length;
  await clickLike(page, '#email');
  await page.waitForTimeout(1500);
  expect(pointerEvents().length).toBe(sent);
  expect(problems).toEqual([]);
});

test('with a profile: scores computed in a worker on the page reach Splunk', async ({ page }) => {
  test.setTimeout(180_000);
  const { problems, scores } = await scoredVisit(page, 'alice', '/profile.json', 'match ', 'pointerprint:score');
  const d = profile.profile.decision!;
  for (const s of scores) {
    expect(s.profileId).toBe('alice');
    expect(s.modelId).toBe('m-test');
    expect(['match', 'mismatch', 'not_yet']).toContain(s.decision);
    // The same fields as the app's score events, from the profile's decision model.
    expect(s.threshold).toBe(d.operatingPoint.threshold);
    expect(s.targetFar).toBe(d.sequential.alpha);
    expect(s.targetFrr).toBe(d.sequential.beta);
    expect(s).toHaveProperty('moreWindows');
    expect(s.windowScore as number).toBeGreaterThanOrEqual(0);
    expect(s.windowScore as number).toBeLessThanOrEqual(1);
    // Scores only: no events of the window travel with them.
    expect(s).not.toHaveProperty('columns');
  }
  expect(new Set(scores.map((s) => s.windowIndex)).size).toBe(scores.length);
  // The worker's verdicts are the app's: replaying its window scores, in the order it scored them,
  // through the app's core functions gives the same sequential verdict after every window.
  const inOrder = [...scores].sort((a, b) => (a.windowsSeen as number) - (b.windowsSeen as number));
  let state = emptySequential();
  let replayed = 0;
  for (const s of inOrder) {
    if (replayed) expect(s.windowIndex as number).toBeGreaterThan(inOrder[replayed - 1].windowIndex as number);
    state = addWindowScore(state, d, s.windowScore as number);
    const want = liveVerdictFields(readLiveVerdict(state, d), d);
    expect(s.decision).toBe(want.decision);
    expect(s.windowsSeen).toBe(want.windowsSeen);
    expect(s.fusedScore as number).toBeCloseTo(want.fusedScore, 9);
    expect(s.confidence as number).toBeCloseTo(want.confidence, 9);
    expect(s.moreWindows).toEqual(want.moreWindows);
    replayed++;
  }
  expect(replayed).toBeGreaterThanOrEqual(2);
  expect(problems).toEqual([]);
});

test('with a group model (humans vs bots): each window\'s group and the session\'s tally reach Splunk as pointerprint:group_score', async ({ page }) => {
  test.setTimeout(180_000);
  const { problems, scores: events } = await scoredVisit(page, 'visitor-7', '/profile-group.json', ' · group ', 'pointerprint:group_score');
  // No verification scores: nothing for the mismatch alert to match.
  expect(peer.events().filter((e) => e.sourcetype === 'pointerprint:score')).toEqual([]);
  const scores = events.sort((a, b) => a.windowsSeen - b.windowsSeen);
  const rule = groupRuleOf(['bots', 'humans'], groupProfile.model.featureModel);
  expect(rule.people).not.toBeNull();
  // The worker's tally is the core's: replaying each window's probabilities and "not people" score in order.
  let tally = emptyGroupTally(rule);
  for (const s of scores) {
    expect(s).toMatchObject({ type: 'group_score', profileId: 'visitor-7', modelId: 'm-group' });
    expect(s).not.toHaveProperty('columns');
    expect(s).not.toHaveProperty('decision');
    const w = { proba: rule.classNames.map((n) => s.windowProba[n] as number), notPeople: s.notPeople as number, clockMs: s.windowClockMs as number | null };
    tally = addGroupWindow(tally, rule, w);
    expect(s).toMatchObject({ ...groupTallyFields(tally, rule, w) });
  }
  // The reference holds its people's clock (20 ms), so every window carries its own and the tally compares the session's.
  expect(scores.at(-1)!.clock).toMatchObject({ referenceLowMs: 20, referenceHighMs: 20 });
  console.log(`embed, group model: ${scores.length} windows, last tally ${JSON.stringify(scores.at(-1)!.shares)}, clock ${JSON.stringify(scores.at(-1)!.clock)} (untrained weights: arbitrary)`);
  expect(problems).toEqual([]);
});

test('a profile exported before calibrated decisions (v1) is refused with words, capture goes on', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/examples/plain-site/index.html?user=alice&profile=/profile-v1.json`);
  await clickLike(page, '#consent-yes');
  await expect(status(page)).toContainText('format v1', { timeout: 60_000 });
  await expect(status(page)).toContainText('Enrol again');
  const st = await page.evaluate(() => (globalThis as unknown as { Pointerprint: { start(o: unknown): { status(): { state: string; scoring: string; code: string | null } } } }).Pointerprint.start({}).status());
  expect(st).toMatchObject({ state: 'recording', scoring: 'failed', code: 'profile/version' });
  expect(errors).toEqual([]);
});

test('no loss: events captured while Splunk is down wait in the page\'s queue and arrive after a reload', async ({ page }) => {
  peer.reset();
  const queued = await queueWhileDown(page, 'bob');
  // The queue lives in the embed's own database (queueWhileDown checks it), not in any of the site's.
  expect(await databases(page)).not.toContain('pointerprint');
  await page.reload();
  peer.setFaults({ down: false });
  // The new page resends the old batches at once, before (and whatever) the visitor answers this time.
  // (Leaving the page may add one last marker chunk to the queue, hence "at least".)
  await expect.poll(() => pointerEvents().length, { timeout: 30_000 }).toBeGreaterThanOrEqual(queued);
  const ids = peer.events().map((e) => e.fields.pp_event_id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(pointerEvents().every((e) => e.columns.kind.length > 0)).toBe(true);
});

test('a visitor who declines is not captured; a broken integration reports instead of throwing', async ({ page }) => {
  peer.reset();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/examples/plain-site/index.html`);
  await clickLike(page, '#consent-no');
  await expect(status(page)).toContainText('declined');
  await clickLike(page, '#email', 40);
  await clickLike(page, '#pay', 40);
  await page.waitForTimeout(1500);
  expect(pointerEvents()).toEqual([]);
  // Bad options on a fresh page: a status with words, nothing thrown into the page.
  await page.goto(`${origin}/blank.html`);
  await page.addScriptTag({ url: '/dist-embed/pointerprint-capture.js' });
  const reported = await page.evaluate(async () => {
    const seen: { state: string; message: string | null }[] = [];
    const api = (globalThis as unknown as { Pointerprint: { start(o: unknown): { status(): { state: string } } } }).Pointerprint;
    api.start({ consent: true, onStatus: (s: { state: string; message: string | null }) => { seen.push(s); throw new Error('a host handler bug'); } });
    await new Promise((r) => setTimeout(r, 200));
    return seen.at(-1);
  });
  expect(reported?.state).toBe('error');
  expect(reported?.message).toContain('hec.url');
  expect(errors).toEqual([]);
});

// ---- privacy: forget, consent withdrawal, retention ----

type Api = { start(o: unknown): { status(): { state: string; hec: { pendingEvents: number } | null }; forget(): Promise<boolean> }; forget(o?: unknown): Promise<boolean> };
const pendingIn = (page: Page) => page.evaluate(() => (globalThis as unknown as { Pointerprint: Api }).Pointerprint.start({}).status().hec?.pendingEvents ?? 0);
const databases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

/** On the example site with Splunk down: capture some movement, until it waits in the page's queue. */
async function queueWhileDown(page: Page, user: string): Promise<number> {
  await page.goto(`${origin}/examples/plain-site/index.html?user=${user}`);
  await clickLike(page, '#consent-yes');
  await expect(status(page)).toContainText('recording');
  peer.setFaults({ down: true });
  await clickLike(page, '#email', 40);
  await clickLike(page, '#pay', 40);
  await flushAll(page);
  await expect.poll(() => pendingIn(page), { timeout: 20_000 }).toBeGreaterThan(0);
  expect(await databases(page)).toContain('pointerprint-embed');
  return pendingIn(page);
}

/** A new page of the site, whose embed resends whatever earlier pages left queued: wait, then nothing may have come. */
async function nothingResent(page: Page): Promise<void> {
  peer.setFaults({ down: false });
  await page.goto(`${origin}/examples/plain-site/index.html?user=later`);
  await clickLike(page, '#consent-no');
  await expect(status(page)).toContainText('declined');
  await page.waitForTimeout(3000);
  expect(pointerEvents()).toEqual([]);
}

test('forget(): capture stops in every tab, the queue database and unsent events are gone, nothing is sent afterwards', async ({ page, context }) => {
  peer.reset();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const queued = await queueWhileDown(page, 'carol');
  // A second tab of the site, recording too.
  const other = await context.newPage();
  await other.goto(`${origin}/examples/plain-site/index.html?user=carol`);
  await clickLike(other, '#consent-yes');
  await expect(status(other)).toContainText('recording');

  // The app on the same origin deleting all of its own queue must not touch the embed's.
  await page.evaluate(() => { const c = new BroadcastChannel('pointerprint-hec-queue'); c.postMessage({ type: 'purge', rule: { by: 'all' } }); c.close(); });
  await page.waitForTimeout(500);
  expect(await pendingIn(page)).toBeGreaterThanOrEqual(queued);
  await expect(status(page)).toContainText('recording');

  // The visitor withdraws consent: the site's button calls Pointerprint.forget().
  await clickLike(page, '#forget-me');
  await expect(status(page)).toContainText('forgotten');
  await expect(status(other)).toContainText('forgotten');
  expect(await databases(page)).not.toContain('pointerprint-embed');
  await clickLike(page, '#email', 40);
  await clickLike(other, '#pay', 40);
  await other.close();
  await nothingResent(page);
  expect(errors).toEqual([]);
});

test('Pointerprint.forget() without a running integration (consent withdrawn on another page) deletes what earlier pages queued', async ({ page }) => {
  peer.reset();
  await queueWhileDown(page, 'dave');
  await page.goto(`${origin}/blank.html`);
  await page.addScriptTag({ url: '/dist-embed/pointerprint-capture.js' });
  expect(await page.evaluate(() => (globalThis as unknown as { Pointerprint: Api }).Pointerprint.forget())).toBe(true);
  expect(await databases(page)).not.toContain('pointerprint-embed');
  await nothingResent(page);
});

test('retentionDays: events queued longer ago than that are deleted, never sent; newer ones are', async ({ page }) => {
  peer.reset();
  await queueWhileDown(page, 'erin');
  const oldSession = await page.evaluate(() => (globalThis as unknown as { Pointerprint: { start(o: unknown): { status(): { sessionId: string } } } }).Pointerprint.start({}).status().sessionId);
  await page.waitForTimeout(2500);
  // A page of the site whose integration keeps queued events 2 seconds at most; Splunk is back once
  // the old page is gone (its last send on leaving fails, as it would during the outage).
  await page.goto(`${origin}/blank.html`);
  peer.setFaults({ down: false });
  await page.addScriptTag({ url: '/dist-embed/pointerprint-capture.js' });
  await page.evaluate(({ url }) => {
    (globalThis as unknown as { Pointerprint: Api }).Pointerprint.start({ hec: { url, token: '5f2a5c3e-1d4b-4c8e-9a61-000000000001', index: 'pointerprint' }, consent: true, sendRaw: true, profileId: 'erin', retentionDays: 2 / 86_400 });
  }, { url: peer.url });
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { Pointerprint: Api }).Pointerprint.start({}).status().state)).toBe('recording');
  await clickLike(page, 'p', 40);
  await flushAll(page);
  const newSession = await page.evaluate(() => (globalThis as unknown as { Pointerprint: { start(o: unknown): { status(): { sessionId: string } } } }).Pointerprint.start({}).status().sessionId);
  await expect.poll(() => pointerEvents(newSession).length, { timeout: 20_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(1000);
  expect(pointerEvents(oldSession)).toEqual([]);
  expect(await pendingIn(page)).toBe(0);
});
