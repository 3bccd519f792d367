/** Helpers shared by the capture browser tests: opt in, start, read IndexedDB directly. */
import { expect, type Page } from '@playwright/test';

export interface DbChunk {
  sessionId: string;
  seq: number;
  length: number;
  tMs: number[];
  kind: number[];
  x: number[];
  y: number[];
  button: number[];
  buttons: number[];
  pointerKind: number[];
  dx: number[];
  dy: number[];
  /** Constructor names of the stored columns, to prove typed arrays were stored. */
  types: Record<string, string>;
}
export interface DbMeta {
  id: string;
  profileId: string;
  source: string;
  eventCount: number;
  durationMs: number;
  space: { width: number; height: number };
  viewport?: { width: number; height: number };
  page?: { width: number; height: number };
  screen?: { width: number; height: number };
  devicePixelRatio?: number;
  startedAtEpochMs: number;
}

/** Read sessions and chunks with the raw IndexedDB API (not the app's code). */
export async function readDb(page: Page): Promise<{ sessions: DbMeta[]; chunks: DbChunk[]; storeNames: string[]; version: number }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('pointerprint');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((res, rej) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => res(r.result as T[]);
        r.onerror = () => rej(r.error);
      });
    const sessions = await all<Record<string, unknown>>('sessions');
    const raw = await all<Record<string, unknown>>('chunks');
    const names = ['tMs', 'kind', 'x', 'y', 'button', 'buttons', 'pointerKind', 'dx', 'dy'];
    const chunks = raw.map((c) => {
      const o: Record<string, unknown> = { sessionId: c.sessionId, seq: c.seq, length: c.length, types: {} };
      for (const n of names) {
        o[n] = Array.from(c[n] as ArrayLike<number>);
        (o.types as Record<string, string>)[n] = (c[n] as object).constructor.name;
      }
      return o;
    });
    const out = { sessions, chunks, storeNames: [...db.objectStoreNames], version: db.version };
    db.close();
    return JSON.parse(JSON.stringify(out));
  });
}

/** All events of one session, chunks concatenated by seq. */
export function sessionEvents(chunks: DbChunk[], sessionId: string) {
  const mine = chunks.filter((c) => c.sessionId === sessionId).sort((a, b) => a.seq - b.seq);
  const cat = <K extends keyof DbChunk>(k: K) => mine.flatMap((c) => c[k] as number[]);
  return { tMs: cat('tMs'), kind: cat('kind'), x: cat('x'), y: cat('y'), button: cat('button'), buttons: cat('buttons'), pointerKind: cat('pointerKind'), dx: cat('dx'), dy: cat('dy'), chunks: mine };
}

export async function optInAndStart(page: Page, eventsPerWindow = 200, size = 96): Promise<void> {
  await page.goto('/#capture');
  await page.getByTestId('capture-consent-check').check();
  await page.getByTestId('capture-consent-give').click();
  await page.getByTestId('capture-events-per-window').selectOption(String(eventsPerWindow));
  await page.getByTestId('capture-size').selectOption(String(size));
  await page.getByTestId('capture-start').click();
  await expect(page.getByTestId('recording-indicator')).toBeVisible();
}

export async function stopRecording(page: Page): Promise<void> {
  await page.getByTestId('capture-stop').click();
  await expect(page.getByTestId('recording-indicator')).toHaveCount(0);
}

/** Pixels of an <img> (same-origin blob URL) as RGBA. */
export async function imgPixels(page: Page, selector: string, nth = 0): Promise<{ width: number; height: number; data: number[] }> {
  return page.locator(selector).nth(nth).evaluate(async (el) => {
    const img = el as HTMLImageElement;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return { width: c.width, height: c.height, data: Array.from(ctx.getImageData(0, 0, c.width, c.height).data) };
  });
}
