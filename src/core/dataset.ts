/**
 * Building training sets from labelled windows, without leakage.
 *
 * Windows cut from one session share the person's state, the page and the moment: a model that saw
 * some windows of a session in training recognises its other windows too easily. So every split here is
 * **by session**: all windows of a session land in the same split, and splits are stratified by label
 * so each split keeps the class mix. Balancing (class weights or undersampling) happens after
 * splitting, within the training split only.
 */
import { PointerprintError } from './errors';
import { mulberry32, shuffleInPlace, type Rng } from './random';

/** Anything with a session and a label: a window, an image, a sample. */
export interface Labelled {
  sessionId: string;
  /** Class label (e.g. 0/1, or a class index). */
  label: number;
}

/** Fractions of sessions for validation and test; the rest is training. */
export interface SplitFractions {
  val: number;
  test: number;
}

export interface Split<T> {
  train: T[];
  val: T[];
  test: T[];
  /** Session ids per split (disjoint). */
  sessions: { train: string[]; val: string[]; test: string[] };
}

/**
 * Group items by session, preserving the order of first appearance (so results do not depend on
 * Map iteration quirks).
 */
export function groupBySession<T extends Labelled>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    let g = m.get(it.sessionId);
    if (!g) m.set(it.sessionId, (g = []));
    g.push(it);
  }
  return m;
}

/**
 * Split items into train/val/test by session, stratified by label (a session's label is the label of
 * its items; a session with mixed labels is an error: it cannot be assigned honestly).
 * Within each label, sessions are shuffled with the seed and dealt out: at least one session goes to
 * training; validation and test get `round(n × fraction)` sessions, but only while training keeps one.
 */
export function splitBySession<T extends Labelled>(items: readonly T[], fractions: SplitFractions, seed: number): Split<T> {
  if (fractions.val < 0 || fractions.test < 0 || fractions.val + fractions.test >= 1) {
    throw new PointerprintError('dataset/fractions', `Validation (${fractions.val}) and test (${fractions.test}) fractions must be ≥ 0 and sum to less than 1.`);
  }
  const rng = mulberry32(seed);
  const bySession = groupBySession(items);
  const byLabel = new Map<number, string[]>();
  for (const [sid, g] of bySession) {
    const label = g[0].label;
    if (g.some((x) => x.label !== label)) {
      throw new PointerprintError('dataset/mixed-session', `Session ${sid} has windows with different labels; split needs one label per session.`);
    }
    let l = byLabel.get(label);
    if (!l) byLabel.set(label, (l = []));
    l.push(sid);
  }
  const sessions = { train: [] as string[], val: [] as string[], test: [] as string[] };
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const sids = shuffleInPlace(byLabel.get(label)!.sort(), rng);
    const n = sids.length;
    let nTest = Math.round(n * fractions.test);
    let nVal = Math.round(n * fractions.val);
    while (nTest + nVal > n - 1 && (nTest > 0 || nVal > 0)) {
      if (nVal >= nTest && nVal > 0) nVal--; else nTest--;
    }
    sessions.test.push(...sids.slice(0, nTest));
    sessions.val.push(...sids.slice(nTest, nTest + nVal));
    sessions.train.push(...sids.slice(nTest + nVal));
  }
  const pick = (ids: string[]) => ids.flatMap((id) => bySession.get(id)!);
  return { train: pick(sessions.train), val: pick(sessions.val), test: pick(sessions.test), sessions };
}

/** Count items per label. */
export function labelCounts<T extends Labelled>(items: readonly T[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const it of items) m.set(it.label, (m.get(it.label) ?? 0) + 1);
  return m;
}

/**
 * Class weights inversely proportional to class frequency, normalised so the weighted total equals
 * the item count (weight = n / (k × count)): each class contributes equally to the loss.
 */
export function classWeights<T extends Labelled>(items: readonly T[]): Record<number, number> {
  const counts = labelCounts(items);
  const k = counts.size;
  const out: Record<number, number> = {};
  for (const [label, c] of counts) out[label] = items.length / (k * c);
  return out;
}

/**
 * Undersample every class to the size of the smallest (seeded). Sessions stay whole in the sense that
 * no item moves between splits; within a class, items are drawn round-robin across sessions so one
 * long session does not dominate what is kept.
 */
export function undersample<T extends Labelled>(items: readonly T[], seed: number, maxPerClass = Infinity): T[] {
  const rng: Rng = mulberry32(seed);
  const counts = labelCounts(items);
  if (counts.size === 0) return [];
  const target = Math.min(maxPerClass, ...counts.values());
  const out: T[] = [];
  for (const label of [...counts.keys()].sort((a, b) => a - b)) {
    const bySession = groupBySession(items.filter((x) => x.label === label));
    const queues = [...bySession.values()].map((g) => shuffleInPlace([...g], rng));
    shuffleInPlace(queues, rng);
    let taken = 0;
    while (taken < target) {
      let progressed = false;
      for (const q of queues) {
        if (taken >= target) break;
        const it = q.pop();
        if (it !== undefined) { out.push(it); taken++; progressed = true; }
      }
      if (!progressed) break;
    }
  }
  return out;
}

/**
 * Cap the number of items per session (seeded, spread evenly over the session's time order), e.g. so
 * a 3-hour session does not outweigh ten short ones. Order within a session is preserved.
 */
export function capPerSession<T extends Labelled>(items: readonly T[], maxPerSession: number): T[] {
  const out: T[] = [];
  for (const g of groupBySession(items).values()) {
    if (g.length <= maxPerSession) { out.push(...g); continue; }
    const step = g.length / maxPerSession;
    for (let i = 0; i < maxPerSession; i++) out.push(g[Math.floor(i * step)]);
  }
  return out;
}

/** Throw if any session appears in more than one of the given sets of items (a leakage guard). */
export function assertNoSessionLeak(...sets: ReadonlyArray<readonly Labelled[]>): void {
  const owner = new Map<string, number>();
  sets.forEach((set, si) => {
    for (const it of set) {
      const o = owner.get(it.sessionId);
      if (o !== undefined && o !== si) {
        throw new PointerprintError('dataset/leak', `Session ${it.sessionId} appears in split ${o} and split ${si}: windows of one session must stay in one split.`);
      }
      owner.set(it.sessionId, si);
    }
  });
}
