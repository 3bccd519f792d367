/**
 * Two tabs of one site with the embed: both capture into the one durable queue of the origin, and
 * exactly one of them (elected over Web Locks) sends it, so every event reaches Splunk once. Without
 * the election every tab would send the shared queue: the same batches twice, from both tabs.
 */
import { test, expect, type Page, type Request } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { captureBuild } from '../../vite.embed.config';
import { startPeer } from './splunk-helpers';
import type { SplunkLocal } from '../../server/splunk-local';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };

let distDir = '';
let site: Server;
let origin = '';
let peer: SplunkLocal & { dataDir: string };

/** The example site and the fresh capture build, as a plain static server would serve them. */
function serve(): Promise<Server> {
  const s = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = path.startsWith('/dist-embed/') ? join(distDir, path.slice('/dist-embed/'.length)) : join(root, normalize(path));
    if (!((file.startsWith(root) || file.startsWith(distDir)) && existsSync(file))) { res.writeHead(404); res.end(); return; }
    let body: Buffer | string = readFileSync(file);
    if (path === '/examples/plain-site/index.html') body = body.toString().replace("'http://127.0.0.1:8088'", JSON.stringify(peer.url));
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  distDir = mkdtempSync(join(tmpdir(), 'pp-embed-tabs-'));
  await build(captureBuild(distDir));
  site = await serve();
  const a = site.address();
  origin = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  peer = await startPeer({ corsOrigins: [origin] });
});

test.afterAll(async () => {
  await peer?.close();
  await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
  rmSync(distDir, { recursive: true, force: true });
});

interface WireEvent { eventId: string; session: { id: string }; columns: { kind: number[] } }
const pointerEvents = (): WireEvent[] => peer.events()
  .filter((e) => e.sourcetype === 'pointerprint:pointer')
  .map((e) => JSON.parse(e.raw) as WireEvent);

async function moveAround(page: Page, sel: string): Promise<void> {
  await page.bringToFront(); // input goes to the visible tab, as with a person switching tabs
  const b = (await page.locator(sel).first().boundingBox())!;
  await page.mouse.move(b.x + 5, b.y + 5, { steps: 25 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 25 });
  await page.mouse.down();
  await page.mouse.up();
}

const flush = (page: Page) => page.evaluate(() => (globalThis as unknown as { Pointerprint: { start(o: unknown): { flush(): Promise<void> } } }).Pointerprint.start({}).flush());
const sessionOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { Pointerprint: { start(o: unknown): { status(): { sessionId: string | null } } } }).Pointerprint.start({}).status().sessionId);

test('two tabs of a site: one sends the shared queue, every event arrives exactly once', async ({ context }) => {
  test.setTimeout(120_000);
  const eventPosts = new Map<Page, number>();
  const open = async (): Promise<Page> => {
    const page = await context.newPage();
    eventPosts.set(page, 0);
    page.on('request', (r: Request) => { if (r.url().startsWith(peer.url) && r.url().includes('/services/collector/event') && r.method() === 'POST') eventPosts.set(page, eventPosts.get(page)! + 1); });
    await page.goto(`${origin}/examples/plain-site/index.html`);
    await page.locator('#consent-yes').click();
    await expect(page.locator('#pp-status')).toContainText('recording');
    return page;
  };
  const first = await open();
  const second = await open();

  // Both tabs capture, in turns, and hand their batches to the queue.
  for (let round = 0; round < 3; round++) {
    for (const page of [first, second]) {
      await moveAround(page, '#email');
      await moveAround(page, '#cart .qty');
      await flush(page);
    }
  }
  const sessions = [await sessionOf(first), await sessionOf(second)];
  expect(sessions[0]).toBeTruthy();
  expect(sessions[1]).toBeTruthy();
  expect(sessions[0]).not.toBe(sessions[1]);

  // Both tabs' events arrive (the sender sends the other tab's batches from the shared queue) …
  await expect.poll(() => new Set(pointerEvents().map((e) => e.session.id)).size, { timeout: 30_000 }).toBe(2);
  for (const page of [first, second]) await flush(page);
  await first.waitForTimeout(2500); // a second sender, if there were one, would send by now
  const events = pointerEvents();
  // … each exactly once …
  const ids = events.map((e) => e.eventId);
  expect(ids.length).toBeGreaterThan(0);
  expect(new Set(ids).size).toBe(ids.length);
  for (const s of sessions) expect(events.filter((e) => e.session.id === s).reduce((n, e) => n + e.columns.kind.length, 0)).toBeGreaterThan(50);
  // … and sent by one tab only.
  const posts = [eventPosts.get(first)!, eventPosts.get(second)!];
  expect(posts.filter((n) => n > 0)).toHaveLength(1);

  // The sender tab closes: the other takes over the lock and sends what it captures next.
  const [sender, other] = posts[0] > 0 ? [first, second] : [second, first];
  await sender.close();
  const before = pointerEvents().length;
  await moveAround(other, '#password');
  await flush(other);
  await expect.poll(() => pointerEvents().length, { timeout: 30_000 }).toBeGreaterThan(before);
  expect(eventPosts.get(other)!).toBeGreaterThan(0);
  // Nothing lost. The closing tab's last keepalive send may be resent by the new sender (its answer
  // never came back): at-least-once at hand-over, absorbed by `dedup eventId`; nothing else repeats.
  const beforeIds = new Set(events.map((e) => e.eventId));
  const after = pointerEvents().map((e) => e.eventId);
  for (const id of beforeIds) expect(after).toContain(id);
  const seen = new Set<string>();
  const repeated = after.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  const senderSession = sessions[posts[0] > 0 ? 0 : 1]!;
  expect(repeated.filter((id) => !id.startsWith(senderSession + ':'))).toEqual([]);
});
