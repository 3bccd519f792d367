/**
 * Verification scoring shared by the tasks: window probabilities of the claimed account → session
 * anomaly scores → AUC / EER (global and per account), and the choice of the fusion weight between the
 * feature and image branches on validation pseudo-sessions.
 */
import { clampedLogOdds, fuseWindows, fusedAfter } from '../../../src/core/fusion';
import { auc, eer } from '../../../src/core/metrics';
import { mean, round } from './context';

export interface ScoredSession { id: string; user: string; illegal: boolean }

/** Window probability of the claimed account under a fusion weight w (1 = features only, 0 = image only). */
export function fuseBranches(pFeat: number, pImg: number, w: number): number {
  const z = w * clampedLogOdds(pFeat) + (1 - w) * clampedLogOdds(pImg);
  return 1 / (1 + Math.exp(-z));
}

/**
 * Session metrics from each session's window probabilities of the claimed account (in window order).
 * Anomaly score = 1 − fused probability (mean clamped log-odds); a session with no window scores 0.5.
 */
export function sessionMetrics(sessions: readonly ScoredSession[], probs: ReadonlyMap<string, readonly number[]>, users: readonly string[], detail = true) {
  const sc: number[] = [], pos: boolean[] = [], nWin: number[] = [];
  const after: Record<number, number[]> = { 1: [], 5: [], 20: [] };
  const winScores: number[] = [], winPos: boolean[] = [];
  for (const s of sessions) {
    const ps = probs.get(s.id) ?? [];
    sc.push(ps.length ? 1 - fuseWindows(ps).fusedScore : 0.5);
    pos.push(s.illegal);
    nWin.push(ps.length);
    const fa = ps.length ? fusedAfter(ps, [1, 5, 20]) : [0.5, 0.5, 0.5];
    after[1].push(1 - fa[0]); after[5].push(1 - fa[1]); after[20].push(1 - fa[2]);
    for (const p of ps) { winScores.push(1 - p); winPos.push(s.illegal); }
  }
  const perUser: Record<string, { sessions: number; illegal: number; auc: number; eer: number }> = {};
  for (const u of users) {
    const idx = sessions.map((s, i) => (s.user === u ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) continue;
    const usc = idx.map((i) => sc[i]), upo = idx.map((i) => pos[i]);
    perUser[u] = { sessions: idx.length, illegal: upo.filter(Boolean).length, auc: round(auc(usc, upo)), eer: round(eer(usc, upo).eer) };
  }
  const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
  const e = eer(sc, pos);
  const afterK = (k: number) => ({ auc: round(auc(after[k], pos)), eer: round(eer(after[k], pos).eer), sessionsWithAtLeastK: nWin.filter((n) => n >= k).length });
  const base = {
    globalAuc: round(auc(sc, pos)), sessionEer: round(e.eer),
    meanPerUserAuc: round(mean(finite(Object.values(perUser).map((x) => x.auc)))),
    meanPerUserEer: round(mean(finite(Object.values(perUser).map((x) => x.eer)))),
    windowAuc: round(auc(winScores, winPos)),
  };
  if (!detail) return base;
  return {
    ...base, sessionEerThreshold: round(e.threshold), perUser,
    afterWindows: { 1: afterK(1), 5: afterK(5), 20: afterK(20) },
    testSessions: sessions.length, testSessionsIllegal: pos.filter(Boolean).length, sessionsWithoutWindows: nWin.filter((n) => n === 0).length,
    sessionScores: sessions.map((s, i) => ({ id: s.id, user: s.user, illegal: pos[i], anomalyScore: round(sc[i], 6), windows: nWin[i] })),
  };
}

/**
 * Validation pseudo-sessions: each user's validation windows cut into chunks of `chunk` windows, every
 * chunk claimed as every account (genuine when it is its own). Returns, per claim, the window
 * probabilities of the claimed class under each branch (k-class probability rows).
 */
export interface Claim { genuine: boolean; feat: number[]; img: number[] }

export function validationClaims(labels: readonly number[], featProba: Float32Array, imgProba: Float32Array | null, k: number, chunk: number): Claim[] {
  const byUser = new Map<number, number[]>();
  labels.forEach((l, i) => { let a = byUser.get(l); if (!a) byUser.set(l, (a = [])); a.push(i); });
  const claims: Claim[] = [];
  for (const [u, idx] of byUser) {
    for (let at = 0; at < idx.length; at += chunk) {
      const part = idx.slice(at, at + chunk);
      for (let c = 0; c < k; c++) {
        claims.push({ genuine: c === u, feat: part.map((i) => featProba[i * k + c]), img: imgProba ? part.map((i) => imgProba[i * k + c]) : [] });
      }
    }
  }
  return claims;
}

/** AUC of fused pseudo-session scores for a fusion weight. */
export function claimsAuc(claims: readonly Claim[], w: number): number {
  const sc = claims.map((c) => 1 - fuseWindows(c.feat.map((p, i) => (c.img.length ? fuseBranches(p, c.img[i], w) : p))).fusedScore);
  return auc(sc, claims.map((c) => !c.genuine));
}

/** The fusion weight with the best validation AUC (ties → more weight on features, the cheaper branch). */
export function chooseFusionWeight(claims: readonly Claim[], grid = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]): { weight: number; validationAuc: Record<string, number> } {
  const validationAuc: Record<string, number> = {};
  let best = -1, weight = 1;
  for (const w of grid) {
    const a = claimsAuc(claims, w);
    validationAuc[w.toFixed(1)] = round(a);
    if (a > best + 1e-9 || (Math.abs(a - best) <= 1e-9 && w > weight)) { best = a; weight = w; }
  }
  return { weight, validationAuc };
}
