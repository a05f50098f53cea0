/** Small text formatters shared by the template and the Markdown export. */

/** `3m 20s`, `1h 12m`, `2d 4h`: the two largest units, enough for a human reading a report. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const units: Array<[string, number]> = [
    ['d', Math.floor(s / 86_400)],
    ['h', Math.floor((s % 86_400) / 3_600)],
    ['m', Math.floor((s % 3_600) / 60)],
    ['s', s % 60],
  ];
  const first = units.findIndex(([, n]) => n > 0);
  return units
    .slice(first, first + 2)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${n}${name}`)
    .join(' ');
}

/** `2026-11-20 10:04:05 UTC`; an em dash for null. */
export function formatInstant(at: string | null): string {
  if (!at) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The UTC calendar day of an epoch-ms instant, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A timeline actor as a reader wants it: `user:alice@example.com` → `alice@example.com`. */
export function displayActor(actor: string): string {
  return actor.startsWith('user:') ? actor.slice('user:'.length) : actor;
}
