import { test, expect, type Page } from '@playwright/test';
import { imgPixels, optInAndStart, stopRecording } from './capture-helpers';
import { movementToImage, type SpaceToImage } from '../../src/core/encode';
import { APP_ENCODING_SETTINGS, MOVEMENT_FRAME_PX } from '../../src/core/settings';
import type { EventColumns } from '../../src/core/events';

/**
 * Record known gestures with the real mouse, then check the rendered image's pixels: lit along the
 * movement, a disc where the click was, a thicker stroke for the drag, dark where nothing happened.
 * The app draws screen-free (movement framing): page positions map into the image by the core's own
 * `movementToImage` over the recorded window's events.
 */
const SIZE = 128;

type Px = { width: number; height: number; data: number[] };
const lum = (p: Px, x: number, y: number) => {
  const i = (Math.round(y) * p.width + Math.round(x)) * 4;
  return Math.max(p.data[i], p.data[i + 1], p.data[i + 2]);
};
const isWhite = (p: Px, x: number, y: number) => {
  const i = (Math.round(y) * p.width + Math.round(x)) * 4;
  return p.data[i] > 200 && p.data[i + 1] > 200 && p.data[i + 2] > 200;
};
/** Lit pixels across a line: scan perpendicular (vertical if `vertical` is false) through (x, y). */
function thickness(p: Px, x: number, y: number, scanAlongY: boolean, reach = 8): number {
  let n = 0;
  for (let d = -reach; d <= reach; d++) if (lum(p, scanAlongY ? x : x + d, scanAlongY ? y + d : y) > 40) n++;
  return n;
}

async function recordGestures(page: Page) {
  await optInAndStart(page, 2000, 96);
  // 1. A plain horizontal move at y = 150.
  await page.mouse.move(200, 150);
  await page.mouse.move(1000, 150, { steps: 50 });
  // 2. A vertical drag at x = 300 from y = 350 to 800, reached by one diagonal jump.
  await page.mouse.move(300, 350);
  await page.mouse.down();
  await page.mouse.move(300, 800, { steps: 50 });
  await page.mouse.up();
  // 3. A click at (900, 600), reached by one jump.
  await page.mouse.move(900, 600);
  await page.mouse.down();
  await page.waitForTimeout(120);
  await page.mouse.up();
  await page.waitForTimeout(300);
}

test('rendered image: movement lit, click disc, drag thicker, empty space dark', async ({ page }, testInfo) => {
  await recordGestures(page);
  // The partial (live) window is on screen while recording.
  await expect(page.getByTestId('capture-partial')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('capture-view.png'), fullPage: true });
  await stopRecording(page);

  // Browse it in the Sessions view at 128 px, one window for the whole short session.
  await page.click('nav a[data-tab="sessions"]');
  await expect(page.getByTestId('session-row')).toHaveCount(1);
  await page.getByTestId('session-view').click();
  await page.getByTestId('session-size').selectOption('128');
  await page.getByTestId('session-events-per-window').selectOption('2000');
  await expect(page.getByTestId('session-window-image')).toHaveCount(1);
  await expect(page.getByTestId('session-window-summary')).toContainText('1 windows');
  await page.screenshot({ path: testInfo.outputPath('sessions-view.png'), fullPage: true });
  const p = await imgPixels(page, '[data-testid="session-window-image"]');
  expect(p.width).toBe(SIZE);
  expect(APP_ENCODING_SETTINGS.framing).toBe('movement');
  const rec = await page.evaluate(async () => {
    const u = '/src/store/sessions.ts';
    const st = (await import(/* @vite-ignore */ u)) as typeof import('../../src/store/sessions');
    const [meta] = await st.listSessions();
    const c = await st.loadSessionColumns(meta.id);
    return { space: meta.space, n: c.length, kind: Array.from(c.kind), x: Array.from(c.x), y: Array.from(c.y) };
  });
  const cols = { kind: Uint8Array.from(rec.kind), x: Float32Array.from(rec.x), y: Float32Array.from(rec.y) } as unknown as EventColumns;
  const fit: SpaceToImage = movementToImage(cols, 0, rec.n, rec.space, SIZE, APP_ENCODING_SETTINGS.framePx ?? MOVEMENT_FRAME_PX);
  const toImg = (x: number, y: number) => [x * fit.scale + fit.offsetX, y * fit.scale + fit.offsetY] as const;

  // Lit along the horizontal move, at several points.
  for (const x of [300, 500, 700, 900]) {
    const [ix, iy] = toImg(x, 150);
    expect(lum(p, ix, iy), `move at x=${x}`).toBeGreaterThan(60);
  }
  // Dark where nothing happened (inside the frame, away from every stroke and jump).
  for (const [x, y] of [[1000, 800], [200, 700], [600, 480]] as const) {
    const [ix, iy] = toImg(x, y);
    expect(ix >= 0 && ix < SIZE && iy >= 0 && iy < SIZE, `${x},${y} lies in the image`).toBe(true);
    expect(lum(p, ix, iy), `empty at ${x},${y}`).toBeLessThan(20);
  }
  // A white disc at the click: the centre and points inside its radius, but not far out.
  const [cx, cy] = toImg(900, 600);
  expect(isWhite(p, cx, cy)).toBe(true);
  const r = SIZE / 32; // the smallest click radius; sample 1.5 px inside it (clear of anti-aliasing)
  let whiteInside = 0;
  for (let a = 0; a < 8; a++) if (isWhite(p, cx + (r - 1.5) * Math.cos((a * Math.PI) / 4), cy + (r - 1.5) * Math.sin((a * Math.PI) / 4))) whiteInside++;
  expect(whiteInside).toBe(8);
  let whiteFar = 0;
  for (let a = 0; a < 8; a++) if (isWhite(p, cx + (SIZE / 12 + 3) * Math.cos((a * Math.PI) / 4), cy + (SIZE / 12 + 3) * Math.sin((a * Math.PI) / 4))) whiteFar++;
  expect(whiteFar).toBe(0);
  // The drag (vertical, at x = 300) is thicker than the plain move (horizontal, at y = 150).
  const [dx, dy] = toImg(300, 650);
  const [mx, my] = toImg(600, 150);
  const dragT = thickness(p, dx, dy, false);
  const moveT = thickness(p, mx, my, true);
  console.log(`stroke thickness at ${SIZE}px: move ${moveT} px, drag ${dragT} px`);
  expect(moveT).toBeGreaterThanOrEqual(1);
  expect(dragT).toBeGreaterThanOrEqual(2 * moveT);
});

test('live view shows completed window images and the legend', async ({ page }) => {
  await optInAndStart(page, 200, 64);
  await expect(page.getByTestId('encoding-legend')).toBeVisible();
  for (let k = 0; k < 3; k++) {
    await page.mouse.move(100, 200 + k * 100);
    await page.mouse.move(1100, 260 + k * 100, { steps: 120 });
  }
  await expect(page.getByTestId('capture-window-image').first()).toBeVisible();
  expect(Number(await page.getByTestId('count-windows').textContent())).toBeGreaterThanOrEqual(1);
  const p = await imgPixels(page, '[data-testid="capture-window-image"]');
  expect(p.width).toBe(64);
  let lit = 0;
  for (let i = 0; i < p.data.length; i += 4) if (Math.max(p.data[i], p.data[i + 1], p.data[i + 2]) > 40) lit++;
  expect(lit).toBeGreaterThan(30);
  await stopRecording(page);
});

test('render worker: RGBA transferred back; a newer request supersedes an older one', async ({ page }) => {
  await page.goto('/#sessions');
  const r = await page.evaluate(async () => {
    const { RenderClient } = (await import('/src/worker/renderClient.svelte.ts' as string)) as typeof import('../../src/worker/renderClient.svelte');
    const { columnsFromSamples } = (await import('/src/core/events.ts' as string)) as typeof import('../../src/core/events');
    const { DEFAULT_ENCODING_SETTINGS } = (await import('/src/core/settings.ts' as string)) as typeof import('../../src/core/settings');
    const space = { width: 1000, height: 1000 };
    const make = (n: number, y: number) =>
      columnsFromSamples(Array.from({ length: n }, (_, i) => ({ tMs: i * 8, kind: 0 as const, x: 100 + (i % 800), y, button: -1, buttons: 0, pointerKind: 1 as const, dx: 0, dy: 0 })));
    const client = new RenderClient();
    const encoding = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 64 };
    // A: 400 windows (slow); B: one window, sent right after: A must never show up in `latest`.
    const a = make(400 * 800, 200);
    const aBuf = a.x.buffer;
    const pa = client.request({ type: 'render-windows', columns: a, space, windows: Array.from({ length: 400 }, (_, i) => ({ index: i, start: i * 800, end: (i + 1) * 800 })), encoding, outputs: { rgba: true, png: false } });
    const transferred = aBuf.byteLength === 0; // columns were transferred, not copied
    const pb = client.request({ type: 'render-windows', columns: make(800, 800), space, windows: [{ index: 7, start: 0, end: 800 }], encoding, outputs: { rgba: true, png: false } });
    const [ra, rb] = await Promise.all([pa, pb]);
    const latest = client.latest!;
    const px = latest.images[0].rgba!;
    // Row of y = 800 in image space (1000 px → 64 px, square): lit; row of y = 200: dark (that was A).
    const s = 64 / 1000;
    const row = (y: number) => { let lit = 0; const iy = Math.round(y * s * 0.953 + 1.5); for (let x = 0; x < 64; x++) { const o = (iy * 64 + x) * 4; if (Math.max(px[o], px[o + 1], px[o + 2]) > 40) lit++; } return lit; };
    client.dispose();
    return { aIsNull: ra === null, bIndex: rb?.images[0].index, latestIndex: latest.images[0].index, rgbaLen: px.length, isClamped: px instanceof Uint8ClampedArray, transferred, litB: Math.max(row(790), row(800), row(810)), litA: Math.max(row(190), row(200), row(210)) };
  });
  expect(r.transferred).toBe(true);
  expect(r.aIsNull).toBe(true);
  expect(r.bIndex).toBe(7);
  expect(r.latestIndex).toBe(7);
  expect(r.rgbaLen).toBe(64 * 64 * 4);
  expect(r.isClamped).toBe(true);
  expect(r.litB).toBeGreaterThan(20);
  expect(r.litA).toBe(0);
});
