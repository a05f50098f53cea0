/**
 * A sparse log-bucket latency histogram: bucket i holds latencies up to
 * GROWTH^i ms, so any quantile read back is within 15 % of the truth. Small
 * enough to store with every rollup and to merge minute → hour → day.
 */
const GROWTH = 1.15;
const LOG = Math.log(GROWTH);

export type Histogram = Record<number, number>;

export function bucketOf(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / LOG);
}

export function upperBound(bucket: number): number {
  return bucket === 0 ? 1 : GROWTH ** bucket;
}

export function add(h: Histogram, ms: number, n = 1): void {
  const b = bucketOf(ms);
  h[b] = (h[b] ?? 0) + n;
}

export function merge(into: Histogram, from: Histogram): void {
  for (const [b, n] of Object.entries(from)) into[Number(b)] = (into[Number(b)] ?? 0) + n;
}

/** The q-quantile (0–1), clamped to the observed max when known. */
export function quantile(h: Histogram, q: number, max?: number | null): number | null {
  const entries = Object.entries(h)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const [b, n] of entries) {
    seen += n;
    if (seen >= rank) {
      const v = Math.round(upperBound(b));
      return max !== undefined && max !== null ? Math.min(v, max) : v;
    }
  }
  return null;
}

export function parse(text: string): Histogram {
  return text ? (JSON.parse(text) as Histogram) : {};
}
