/**
 * "Test connection" for the app's Splunk settings. Kept out of `HecClient` so the embeddable capture
 * bundle, which shares the client but has no settings screen, does not carry it.
 */
import { describeError } from '../core/errors';
import { HEC_EVENT_PATH, HEC_HEALTH_PATH, joinUrl } from '../core/splunk/hec';
import { classifyHecResponse, parseHecBody } from '../core/splunk/hecStatus';
import type { HecClient } from './hecClient';

export interface HealthResult {
  ok: boolean;
  /** One line per check, in words. */
  lines: string[];
}

/**
 * The health endpoint, then a real token check. An empty POST to the event endpoint is checked for
 * its token before its body, so a valid token answers "No data" (code 5) and nothing is indexed; an
 * invalid one answers code 4 (or 21/22 on some versions), a disabled one code 1.
 */
export async function hecHealth(client: HecClient): Promise<HealthResult> {
  const cfg = client.config();
  const lines: string[] = [];
  if (!cfg.url || !cfg.token) return { ok: false, lines: ['Enter the HEC URL and token first.'] };
  let ok = true;
  try {
    const r = await client.fetchFn(joinUrl(cfg.url, HEC_HEALTH_PATH), { method: 'GET' });
    const b = parseHecBody(await r.text());
    if (r.status === 200 && b?.code === 17) lines.push('HEC health: healthy (code 17).');
    else { ok = false; lines.push(`HEC health: ${b?.text ?? 'unexpected answer'} (HTTP ${r.status}${b?.code !== undefined ? `, HEC code ${b.code}` : ''}).`); }
  } catch (e) {
    return { ok: false, lines: [`Cannot reach ${cfg.url}: ${describeError(e)}. Is Splunk up, the URL right, and CORS enabled for this origin (or the dev proxy in use)?`] };
  }
  try {
    const r = await client.fetchFn(joinUrl(cfg.url, HEC_EVENT_PATH), { method: 'POST', headers: client.headers(), body: '' });
    const text = await r.text();
    const b = parseHecBody(text);
    if (b?.code === 5 || b?.code === 0) lines.push(`Token accepted (HEC code ${b.code}: "${b.text}" — nothing was indexed).`);
    else {
      ok = false;
      const o = classifyHecResponse(r.status, text);
      if (o.kind === 'needs-channel') lines.push('This token requires indexer acknowledgement (HEC code 10): turn on "acknowledgement".');
      else if (o.kind === 'pause' || o.kind === 'reject') lines.push(o.error.message);
      else if (o.kind === 'retry') lines.push(o.reason);
      else lines.push(`Unexpected answer (HTTP ${r.status}).`);
    }
  } catch (e) {
    ok = false;
    lines.push(`Token check failed: ${describeError(e)}`);
  }
  return { ok, lines };
}
