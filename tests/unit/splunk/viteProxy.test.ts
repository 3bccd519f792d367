/**
 * The dev-server proxy option: with PP_SPLUNK_HEC_URL / PP_SPLUNK_MGMT_URL set, vite forwards
 * /splunk-hec/* and /splunk-mgmt/* to Splunk (here the local peer), so the app needs no CORS.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { startSplunkLocal, DEV_HEC_TOKEN, DEV_SEARCH_TOKEN, type SplunkLocal } from '../../../server/splunk-local';

let peer: SplunkLocal;
let vite: ViteDevServer;
let base: string;

beforeAll(async () => {
  peer = await startSplunkLocal({ port: 0 });
  process.env.PP_SPLUNK_HEC_URL = peer.url;
  process.env.PP_SPLUNK_MGMT_URL = peer.url;
  vite = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1' }, logLevel: 'silent', optimizeDeps: { noDiscovery: true, include: [] } });
  await vite.listen();
  const addr = vite.httpServer!.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
}, 60_000);

afterAll(async () => {
  await vite?.close();
  await peer?.close();
  delete process.env.PP_SPLUNK_HEC_URL;
  delete process.env.PP_SPLUNK_MGMT_URL;
});

it('forwards HEC and search requests same-origin', async () => {
  const h = await fetch(`${base}/splunk-hec/services/collector/health`);
  expect(await h.json()).toEqual({ text: 'HEC is healthy', code: 17 });
  const e = await fetch(`${base}/splunk-hec/services/collector/event`, { method: 'POST', headers: { Authorization: `Splunk ${DEV_HEC_TOKEN}` }, body: '{"event":{"via":"proxy"},"sourcetype":"pp:proxy"}' });
  expect(await e.json()).toEqual({ text: 'Success', code: 0 });
  const s = await fetch(`${base}/splunk-mgmt/services/search/jobs/export`, { method: 'POST', headers: { Authorization: `Bearer ${DEV_SEARCH_TOKEN}` }, body: new URLSearchParams({ search: 'search index=pointerprint sourcetype="pp:proxy"', output_mode: 'json', earliest_time: '0' }) });
  const line = JSON.parse((await s.text()).trim()) as { lastrow: boolean; result: { via: string } };
  expect(line).toMatchObject({ lastrow: true, result: { via: 'proxy' } });
});
