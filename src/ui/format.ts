/**
 * Numbers as the views show them. Pure (no DOM), unit-tested.
 */

/**
 * A probability with enough digits to tell it from 0 or 1: a well-separated person's window scores and
 * threshold sit at 0.9999…, which three decimals would show as "1.000". Near 0 or 1 the log-odds
 * follow, the scale the verdict adds evidence on.
 */
export function probabilityText(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p >= 0.001 && p <= 0.999) return p.toFixed(3);
  if (p <= 0 || p >= 1) return `${p <= 0 ? 0 : 1} (beyond float precision)`;
  const nearOne = p > 0.5, tail = nearOne ? 1 - p : p;
  // Up to 1e-6 from 0 or 1, decimals that keep two significant digits of the distance; beyond, its exponent.
  const shown = tail >= 1e-6
    ? p.toFixed(Math.ceil(-Math.log10(tail)) + 1)
    : nearOne ? `1 − ${tail.toExponential(1)}` : p.toExponential(1);
  return `${shown} (log-odds ${Math.log(p / (1 - p)).toFixed(1)})`;
}
