import type { Tone } from '../../ui';
import type { AlertView, SilenceState, Why, WhyState } from './alerts-api';

/** Display helpers shared by the alert pages. */

export const STATE_TONE: Record<WhyState, Tone> = {
  notifying: 'danger',
  suppressed: 'neutral',
  pending: 'warning',
  unrouted: 'warning',
  resolved: 'success',
};

export const SILENCE_TONE: Record<SilenceState, Tone> = { active: 'info', pending: 'warning', expired: 'neutral' };

/** What holds a suppressed alert, in a few words ("silenced by db-upgrade"). */
export function holdReasons(why: Why): string[] {
  const out: string[] = [];
  if (why.silencedBy.length) out.push(`silenced by ${why.silencedBy.join(', ')}`);
  if (why.inhibitedBy.length) out.push(`inhibited by ${why.inhibitedBy.map((i) => i.rule).join(', ')}`);
  if (why.maintenance.length) out.push(`maintenance ${why.maintenance.join(', ')}`);
  if (why.dependency.length) out.push(`dependency ${why.dependency.join(', ')} down`);
  if (why.muted.length) out.push(`muted by ${why.muted.join(', ')}`);
  return out;
}

/** The state shown for an alert: a resolved alert reads resolved whatever its last verdict was. */
export function alertState(a: Pick<AlertView, 'status' | 'why'>): WhyState {
  return a.status === 'resolved' ? 'resolved' : a.why.state;
}

/** `30s`, `5m`, `4h`, `1h30m`: how route timers are written in YAML. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface MatcherParts {
  name: string;
  op: MatchOp;
  value: string;
}

function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Alertmanager's text form of a matcher: `name="value"` (the server parses and validates it). */
export function formatMatcher(m: MatcherParts): string {
  return `${m.name}${m.op}${quote(m.value)}`;
}

/** An equality matcher per label, e.g. to silence exactly this alert. */
export function labelMatchers(labels: Record<string, string>): string[] {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => formatMatcher({ name, op: '=', value }));
}

function unquote(raw: string): string {
  const s = raw.trim();
  if (!(s.length >= 2 && s.startsWith('"') && s.endsWith('"'))) return s;
  return s.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Splits matcher text like `{a="1", b=~"x|y"}` on the commas outside quotes. */
export function splitMatcherList(input: string): string[] {
  let s = input.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && quoted) {
      cur += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** One matcher's parts for an editor row; null when the text is not a matcher (the server says why). */
export function parseMatcher(text: string): MatcherParts | null {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(=~|!~|!=|=)\s*([\s\S]*)$/.exec(text);
  if (!m) return null;
  return { name: m[1] as string, op: m[2] as MatchOp, value: unquote(m[3] as string) };
}

/**
 * A label set typed as `key=value` lines or as `{a="1", b="2"}`; returns the labels, or the first
 * line that is not a label.
 */
export function parseLabelSet(input: string): { labels: Record<string, string> } | { error: string } {
  const text = input.trim();
  const entries = text.startsWith('{') ? splitMatcherList(text) : text.split('\n').flatMap(splitMatcherList);
  const labels: Record<string, string> = {};
  for (const entry of entries) {
    const m = /^([A-Za-z_][A-Za-z0-9_./-]*)\s*=\s*([\s\S]*)$/.exec(entry);
    if (!m || /^[=~]/.test(m[2] as string)) return { error: `${entry} is not a label like service="api"` };
    labels[m[1] as string] = unquote(m[2] as string);
  }
  return { labels };
}
