/**
 * Issue #10 items 2, 3 and 5 in a real browser: "Delete all" leaves every IndexedDB store of every
 * database empty (stores are enumerated, so a future store is covered), "Delete my profile" removes
 * live-scoring recordings and queued events, unticking raw events purges the send queue, "Test
 * connection" / "Pull training set" save nothing, and a crafted profile file cannot overwrite
 * another profile's model or name a storage location.
 */
import { test, expect, type Page, type Route } from '@playwright/test';

type StoreCounts = Record<string, number>;

/** Every object store of every IndexedDB database of this origin, with its record count (raw API). */
async function walkIndexedDb(page: Page): Promise<StoreCounts> {
  return page.evaluate(async () => {
    const out: Record<string, number> = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((res, rej) => { const r = indexedDB.open(info.name!); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      for (const store of [...db.objectStoreNames]) {
        out[`${info.name}/${store}`] = await new Promise<number>((res, rej) => { const r = db.transaction(store).objectStore(store).count(); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      }
      db.close();
    }
    return out;
  });
}

async function freshApp(page: Page, hash: string): Promise<void> {
  await page.goto('/' + hash);
  await page.evaluate(async () => {
    localStorage.clear();
    sessionStorage.clear();
    for (const info of await indexedDB.databases()) {
      if (info.name) await new Promise<void>((res) => { const r = indexedDB.deleteDatabase(info.name!); r.onsuccess = r.onerror = r.onblocked = () => res(); });
    }
  });
  await page.reload();
}

/**
 * Seed data through the app's own store modules: sessions with events for each profile id given,
 * a profile with a tiny tfjs model, a queued HEC batch, consent and a retention setting.
 */
async function seed(page: Page, opts: { sessionsOf: string[]; profile?: string; modelId?: string }): Promise<void> {
  await page.evaluate(async ({ sessionsOf, profile, modelId }) => {
    const imp = (u: string) => import(/* @vite-ignore */ u);
    const sessions = await imp('/src/store/sessions.ts');
    const events = await imp('/src/core/events.ts');
    const dbm = await imp('/src/store/db.ts');
    const q = await imp('/src/store/hecQueue.ts');
    const hec = await imp('/src/core/splunk/hec.ts');
    const now = Date.now();
    for (const pid of sessionsOf) {
      const samples = Array.from({ length: 50 }, (_, i) => ({ tMs: i * 10, kind: 0, x: 100 + i, y: 100 + i, button: -1, buttons: 0, pointerKind: 1, dx: 0, dy: 0 }));
      const meta = { id: `s-${pid}`, profileId: pid, source: 'capture', startedAtEpochMs: now - 1000, space: { width: 800, height: 600 }, eventCount: 50, durationMs: 490 };
      await sessions.saveSession(meta, events.columnsFromSamples(samples));
      const cols = events.columnsFromSamples(samples);
      const lines = hec.pointerEnvelopes({ ...cols, sessionId: meta.id, seq: 0 }, meta, {}).map(hec.serializeEnvelope);
      const score = hec.serializeEnvelope(hec.scoreEnvelope({ id: `score-${pid}`, sessionId: meta.id, profileId: pid, modelId: 'm', windowIndex: 0, windowScore: 0.5, fusedScore: 0.5, confidence: 0, windowsSeen: 1, decision: 'not_yet', threshold: 0.5, targetFar: 0.05, targetFrr: 0.05, moreWindows: null, flags: [], atEpochMs: now }, {}));
      await q.idbHecQueue.put({ id: `batch-${pid}`, createdAtMs: now, body: [...lines, score].join('\n'), bytes: 10, eventCount: lines.length + 1, eventIds: [`${meta.id}:0:0`, `score-${pid}`], attempts: 0 });
    }
    const db = await dbm.openPointerprintDb();
    await db.put('kv', { atEpochMs: now, text: 'test consent' }, 'capture.consent');
    await sessions.setRetentionDays(10);
    if (profile && modelId) {
      const profiles = await imp('/src/store/profiles.ts');
      const settings = await imp('/src/core/settings.ts');
      const spec = await imp('/src/ml/spec.ts');
      // The app's own tfjs instance: the URL Vite gave the store's lazy import.
      const tfUrl = (await (await fetch('/src/store/profiles.ts')).text()).match(/import\("([^"]*tfjs\.js[^"]*)"\)/)![1];
      const tf = await imp(tfUrl);
      const ws = settings.DEFAULT_WINDOW_SETTINGS, es = { ...settings.DEFAULT_ENCODING_SETTINGS, sizePx: 8 };
      const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
      await m.save(profiles.modelUrl(modelId));
      m.dispose();
      const fingerprint = settings.encodingFingerprint(ws, es);
      // A v2 profile: a verification profile carries its decision model (fitted by the real code).
      const enrolmentCheck = await imp('/src/core/enrolmentCheck.ts');
      const decision = enrolmentCheck.fitDecisionModel({ scores: [0.9, 0.7, 0.4, 0.3, 0.6, 0.1], positives: [true, true, true, false, false, false] });
      const formatVersion = profiles.APP_MODEL_FORMAT;
      await profiles.saveModelRecord({ id: modelId, kind: 'verification', url: profiles.modelUrl(modelId), spec: { ...spec.defaultSpec('verification', 8), blockFilters: [4] }, classNames: ['others', profile], fingerprint, windowSettings: ws, encoding: es, createdAtEpochMs: 1000, backend: 'cpu', tfjsVersion: '4.22.0', formatVersion, featureModel: null, fusionWeight: 0 });
      await profiles.saveProfile({ id: profile, name: profile, kind: 'verification', createdAtEpochMs: 1000, windows: 10, windowSettings: ws, encoding: es, fingerprint, modelId, quality: null, trainedAgainst: null, history: [], backend: 'cpu', decision, formatVersion });
    }
  }, opts);
}

test('"Delete all" leaves every IndexedDB store of every database empty, and no biometric data elsewhere', async ({ page }) => {
  await freshApp(page, '#sessions');
  await seed(page, { sessionsOf: ['alice', 'verify-alice'], profile: 'alice', modelId: 'model-alice' });
  // Splunk settings (no pointer data) are the only thing outside IndexedDB.
  await page.evaluate(() => localStorage.setItem('pointerprint.splunk.settings', JSON.stringify({ hecUrl: '', sendRawEvents: false })));
  await page.reload();

  const before = await walkIndexedDb(page);
  console.log('stores before:', JSON.stringify(before));
  expect(Object.keys(before)).toEqual(expect.arrayContaining(['pointerprint/sessions', 'pointerprint/chunks', 'pointerprint/profiles', 'pointerprint/models', 'pointerprint/hecQueue', 'pointerprint/kv']));
  // Every store holds something, so "empty afterwards" proves deletion (a new store must be seeded here too).
  for (const [store, n] of Object.entries(before)) expect(n, `${store} seeded`).toBeGreaterThan(0);

  await expect(page.getByTestId('session-row')).toHaveCount(2);
  await page.getByTestId('sessions-delete-all').click();
  await expect(page.getByTestId('sessions-confirm-all')).toContainText('profiles and models');
  await page.getByTestId('sessions-confirm-yes').click();
  await expect(page.getByTestId('sessions-notice')).toContainText('Deleted everything');
  await expect(page.getByTestId('sessions-empty')).toBeVisible();

  const after = await walkIndexedDb(page);
  console.log('stores after:', JSON.stringify(after));
  for (const store of Object.keys(before)) expect(after[store] ?? 0, `${store} after "Delete all"`).toBe(0);
  for (const [store, n] of Object.entries(after)) expect(n, `${store} after "Delete all"`).toBe(0);

  const elsewhere = await page.evaluate(async () => ({
    local: Object.entries(localStorage),
    session: Object.entries(sessionStorage),
    caches: 'caches' in globalThis ? await caches.keys() : [],
  }));
  expect(elsewhere.caches).toEqual([]);
  for (const [k, v] of [...elsewhere.local, ...elsewhere.session]) {
    expect(k, 'only Splunk connection settings live in Web Storage').toMatch(/^pointerprint\.splunk\./);
    expect(v).not.toMatch(/"(tMs|columns|x|y)"\s*:/);
  }
  // Consent is gone too: recording needs a new opt-in.
  await page.click('nav a[data-tab="capture"]');
  await expect(page.getByRole('checkbox').first()).not.toBeChecked();
});

test('"Delete my profile" removes its live-scoring recordings and its queued Splunk events, nothing of others', async ({ page }) => {
  await freshApp(page, '#sessions');
  await seed(page, { sessionsOf: ['alice', 'verify-alice', 'bob'], profile: 'alice', modelId: 'model-alice' });
  const r = await page.evaluate(async () => {
    const importApp = (u: string) => import(/* @vite-ignore */ u);
    const profiles = await importApp('/src/store/profiles.ts');
    const sessions = await importApp('/src/store/sessions.ts');
    const q = await importApp('/src/store/hecQueue.ts');
    const n = await profiles.deleteProfile('alice');
    return {
      n,
      left: (await sessions.listSessions()).map((s: { profileId: string }) => s.profileId),
      queued: [...new Set((await q.idbHecQueue.list()).map((b: { body: string }) => b.body.split('\n').map((l: string) => JSON.parse(l).fields.pp_profile)).flat())],
      profile: await profiles.getProfile('alice'),
      model: await profiles.getModelRecord('model-alice'),
      weights: await profiles.modelStored('model-alice'),
    };
  });
  expect(r.n).toBe(2);
  expect(r.left).toEqual(['bob']);
  expect(r.queued).toEqual(['bob']);
  expect(r.profile).toBeUndefined();
  expect(r.model).toBeUndefined();
  expect(r.weights).toBe(false);
});

/** HEC answered by the test: busy (503) until `up`, recording every body. */
async function fakeHec(page: Page): Promise<{ bodies: string[]; setUp(v: boolean): void }> {
  const bodies: string[] = [];
  let up = false;
  await page.route('**/hec-test/services/collector/**', async (route: Route) => {
    const url = route.request().url();
    if (url.includes('/health')) return route.fulfill({ status: 200, body: '{"text":"HEC is healthy","code":17}' });
    const body = route.request().postData() ?? '';
    if (body) bodies.push(body);
    if (!body) return route.fulfill({ status: 400, body: '{"text":"No data","code":5}' });
    return up ? route.fulfill({ status: 200, body: '{"text":"Success","code":0}' }) : route.fulfill({ status: 503, body: '{"text":"Server is busy","code":9}' });
  });
  return { bodies, setUp: (v) => { up = v; } };
}

const queuedSourcetypes = (page: Page) => page.evaluate(async () => {
  const importApp = (u: string) => import(/* @vite-ignore */ u);
  const q = await importApp('/src/store/hecQueue.ts');
  return (await q.idbHecQueue.list()).flatMap((b: { body: string }) => b.body.split('\n').map((l: string) => JSON.parse(l).sourcetype as string));
});

type Hook = { applySettings(s: unknown): void; currentSettings(): Record<string, unknown>; forwardChunk(c: unknown, m: unknown): void; forwardScore(s: unknown): void; hecClient(): { flush(): Promise<void>; retryNow(): void; status(): { sentEvents: number } } };

test('unticking "send raw pointer events" purges queued raw events at once; scores are still delivered', async ({ page }) => {
  const hec = await fakeHec(page);
  await freshApp(page, '#splunk');
  await expect(page.getByTestId('hec-state')).toBeVisible();
  await page.evaluate(() => {
    const h = (globalThis as unknown as { __ppSplunk: Hook }).__ppSplunk;
    h.applySettings({ ...h.currentSettings(), hecUrl: location.origin + '/hec-test', hecToken: 't', sendRawEvents: true, sendScores: true, rememberTokens: true, batchMaxEvents: 2 });
  });
  await page.reload();
  await expect(page.getByTestId('send-raw')).toBeChecked();
  await page.evaluate(async () => {
    const h = (globalThis as unknown as { __ppSplunk: Hook }).__ppSplunk;
    const meta = { id: 'sess-raw', profileId: 'alice', source: 'capture', startedAtEpochMs: Date.now() - 5000, space: { width: 800, height: 600 }, eventCount: 0, durationMs: 0 };
    for (let seq = 0; seq < 3; seq++) {
      const n = 20;
      h.forwardChunk({ sessionId: 'sess-raw', seq, length: n, tMs: Float64Array.from({ length: n }, (_, i) => seq * 200 + i * 10), kind: new Uint8Array(n), x: new Float32Array(n).fill(5), y: new Float32Array(n).fill(6), button: new Int8Array(n).fill(-1), buttons: new Uint8Array(n), pointerKind: new Uint8Array(n).fill(1), dx: new Float32Array(n), dy: new Float32Array(n) }, meta);
      h.forwardScore({ id: `score-${seq}`, sessionId: 'sess-raw', profileId: 'alice', modelId: 'm', windowIndex: seq, windowScore: 0.5, fusedScore: 0.5, confidence: 0.1, windowsSeen: seq + 1, decision: 'not_yet', threshold: 0.5, targetFar: 0.05, targetFrr: 0.05, moreWindows: null, flags: [], atEpochMs: Date.now() });
    }
    await h.hecClient().flush();
  });
  await expect.poll(() => queuedSourcetypes(page)).toContain('pointerprint:pointer');
  expect(hec.bodies.length, 'Splunk was busy: the batches are queued').toBeGreaterThan(0);

  await page.getByTestId('send-raw').uncheck();
  await expect(page.getByTestId('raw-notice')).toContainText('3 queued raw events were removed');
  expect(await queuedSourcetypes(page)).toEqual(['pointerprint:score', 'pointerprint:score', 'pointerprint:score']);
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem('pointerprint.splunk.settings')!).sendRawEvents)).toBe(false);

  const sentBefore = hec.bodies.length;
  hec.setUp(true);
  await page.getByTestId('retry-now').click();
  await expect(page.getByTestId('sent-events')).toHaveText('3');
  const after = hec.bodies.slice(sentBefore).flatMap((b) => b.split('\n').map((l) => JSON.parse(l).sourcetype));
  expect(after.length).toBeGreaterThan(0);
  expect(after.filter((s) => s === 'pointerprint:pointer'), 'no raw event sent after the opt-out').toEqual([]);
  await expect.poll(() => queuedSourcetypes(page)).toEqual([]);
});

test('"Test connection" and "Pull training set" do not save an unsaved opt-in', async ({ page }) => {
  await fakeHec(page);
  await page.route('**/mgmt-test/**', (route) => route.fulfill({ status: 401, body: '{"messages":[{"type":"WARN","text":"call not properly authenticated"}]}' }));
  await freshApp(page, '#splunk');
  await expect(page.getByTestId('hec-state')).toBeVisible();
  const saved = () => page.evaluate(() => ({ stored: localStorage.getItem('pointerprint.splunk.settings'), live: (globalThis as unknown as { __ppSplunk: Hook }).__ppSplunk.currentSettings().sendRawEvents }));
  const initial = await saved();
  expect(initial.live).toBe(false);

  await page.getByTestId('hec-url').fill(await page.evaluate(() => location.origin + '/hec-test'));
  await page.getByTestId('hec-token').fill('t');
  await page.getByTestId('send-raw').check();
  await expect(page.getByTestId('unsaved')).toBeVisible();
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('test-result')).toContainText('healthy');
  expect(await saved(), 'testing the form saves nothing').toEqual(initial);

  await page.getByTestId('mgmt-url').fill(await page.evaluate(() => location.origin + '/mgmt-test'));
  await page.getByTestId('mgmt-token').fill('bad');
  await page.getByTestId('run-search').click();
  await expect(page.getByTestId('search-error')).toBeVisible();
  expect(await saved(), 'pulling a training set saves nothing').toEqual(initial);
  await expect(page.getByTestId('send-raw')).toBeChecked(); // the form keeps the unsaved edit

  await page.getByTestId('save').click();
  expect((await saved()).live).toBe(true);
});

test('a crafted profile file cannot overwrite another profile\'s model or choose where to store it', async ({ page }) => {
  const stolen: string[] = [];
  await page.route('**/steal**', (route) => { stolen.push(route.request().url()); return route.fulfill({ status: 200, body: '{}' }); });
  await freshApp(page, '#enrol');
  await seed(page, { sessionsOf: [], profile: 'victim', modelId: 'model-victim' });
  await seed(page, { sessionsOf: [], profile: 'intruder', modelId: 'model-intruder' });
  const r = await page.evaluate(async () => {
    const importApp = (u: string) => import(/* @vite-ignore */ u);
    const profiles = await importApp('/src/store/profiles.ts');
    const tfUrl = (await (await fetch('/src/store/profiles.ts')).text()).match(/import\("([^"]*tfjs\.js[^"]*)"\)/)![1];
    const tf = await importApp(tfUrl);
    const victimSaved = String((await tf.io.listModels())[profiles.modelUrl('model-victim')].dateSaved);
    const bundle = JSON.parse(await (await profiles.exportProfile('intruder')).text());
    await profiles.deleteProfile('intruder');
    // The crafted file: its model claims the victim's model id and a storage URL of its own choosing.
    bundle.profile.id = bundle.profile.name = 'mallory';
    bundle.model.id = bundle.profile.modelId = 'model-victim';
    bundle.model.url = location.origin + '/steal';
    const imported = await profiles.importProfile(JSON.stringify(bundle));
    const models = await tf.io.listModels();
    let exists = '';
    try { await profiles.importProfile(JSON.stringify(bundle)); } catch (e) { exists = (e as { code: string }).code; }
    // An honest round trip still works: export the victim, lose its model, import with replace.
    const victimBefore = await profiles.getProfile('victim');
    const victimFile = await (await profiles.exportProfile('victim')).text();
    await profiles.deleteModel('model-victim');
    const back = await profiles.importProfile(victimFile, { replace: true });
    const roundTrip = JSON.stringify(back) === JSON.stringify(victimBefore) && (await profiles.modelStored('model-victim'));
    return {
      roundTrip,
      importedModelId: imported.modelId,
      importedUrl: (await profiles.getModelRecord(imported.modelId)).url,
      victimRecord: await profiles.getModelRecord('model-victim'),
      victimProfile: await profiles.getProfile('victim'),
      victimUntouched: String(models[profiles.modelUrl('model-victim')].dateSaved) === victimSaved,
      exists,
    };
  });
  expect(r.importedModelId).not.toBe('model-victim');
  expect(r.importedUrl).toBe(`indexeddb://pointerprint-model-${r.importedModelId}`);
  expect(r.victimRecord.classNames).toEqual(['others', 'victim']);
  expect(r.victimProfile.modelId).toBe('model-victim');
  expect(r.victimUntouched, 'the victim\'s weights were not rewritten').toBe(true);
  expect(r.exists, 'a second import of the same profile id needs an explicit replace').toBe('profile/exists');
  expect(stolen).toEqual([]);
  expect(r.roundTrip, 'export → lose the model → import with replace gives the same profile and a stored model').toBe(true);
});

test('retention covers every source but the simulator, counted from arrival, and the send queue', async ({ page }) => {
  await freshApp(page, '#splunk');
  await expect(page.getByTestId('hec-state')).toBeVisible();
  const r = await page.evaluate(async () => {
    const importApp = (u: string) => import(/* @vite-ignore */ u);
    const sessions = await importApp('/src/store/sessions.ts');
    const events = await importApp('/src/core/events.ts');
    const dbm = await importApp('/src/store/db.ts');
    const q = await importApp('/src/store/hecQueue.ts');
    const hec = await importApp('/src/core/splunk/hec.ts');
    const DAY = 86_400_000, now = Date.now();
    const cols = events.columnsFromSamples([{ tMs: 0, kind: 0, x: 1, y: 1, button: -1, buttons: 0, pointerKind: 1, dx: 0, dy: 0 }]);
    const meta = (id: string, source: string, startedAtEpochMs: number) => ({ id, profileId: 'p', source, startedAtEpochMs, space: { width: 10, height: 10 }, eventCount: 1, durationMs: 0 });
    for (const [id, source, started] of [
      ['pulled-long-ago', 'splunk', now - 41 * DAY], ['imported-long-ago', 'import-json', now - 41 * DAY],
      ['old-recording-imported-today', 'import-json', now - 700 * DAY], ['simulated-long-ago', 'simulator', now - 41 * DAY],
    ] as const) await sessions.saveSession(meta(id, source, started), cols);
    // Age the arrival of the first, second and fourth by 40 days; add a session saved before arrival times existed.
    const db = await dbm.openPointerprintDb();
    for (const id of ['pulled-long-ago', 'imported-long-ago', 'simulated-long-ago']) {
      const m = await db.get('sessions', id);
      await db.put('sessions', { ...m, storedAtEpochMs: now - 40 * DAY });
    }
    await db.put('sessions', meta('legacy-balabit', 'import-balabit', 0));
    const score = (id: string, at: number) => hec.serializeEnvelope(hec.scoreEnvelope({ id, sessionId: 's', profileId: 'p', modelId: 'm', windowIndex: 0, windowScore: 0.5, fusedScore: 0.5, confidence: 0, windowsSeen: 1, decision: 'not_yet', threshold: 0.5, targetFar: 0.05, targetFrr: 0.05, moreWindows: null, flags: [], atEpochMs: at }, {}));
    await q.idbHecQueue.put({ id: 'b', createdAtMs: now, body: [score('old-score', now - 40 * DAY), score('new-score', now)].join('\n'), bytes: 10, eventCount: 2, eventIds: ['old-score', 'new-score'], attempts: 0 });
    const removed = await sessions.pruneExpiredSessions(now);
    const left = await sessions.listSessions();
    return {
      removed: [...removed].sort(),
      left: left.map((s: { id: string }) => s.id).sort(),
      legacyStamped: typeof left.find((s: { id: string }) => s.id === 'legacy-balabit')?.storedAtEpochMs === 'number',
      queued: (await q.idbHecQueue.list()).flatMap((b: { eventIds: string[] }) => b.eventIds),
    };
  });
  expect(r.removed).toEqual(['imported-long-ago', 'pulled-long-ago']);
  expect(r.left).toEqual(['legacy-balabit', 'old-recording-imported-today', 'simulated-long-ago']);
  expect(r.legacyStamped, 'a session from before arrival times gets "now", not deletion').toBe(true);
  expect(r.queued).toEqual(['new-score']);
});
