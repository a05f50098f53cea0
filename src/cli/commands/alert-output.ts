import type { AlertView, Why } from '../../alerts/alert.model.js';
import { formatMatcher, MatcherError, parseMatcherList } from '../../alerts/matchers.js';
import { UsageError } from '../errors.js';
import { ago, type Column, formatTable, shortTime } from '../output.js';

/** What the alerts API answers (see alert.routes.ts); the CLI reads only these fields. */
export type Alert = AlertView;

export interface AlertHistoryEntry {
  id: string;
  at: string;
  type: string;
  message: string;
  details: Record<string, unknown> | null;
}

export interface Silence {
  name: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: 'active' | 'pending' | 'expired';
}

const MATCHER_HINT = 'matchers look like severity="critical", service=~"api|web", env!="dev" (quote the whole flag)';

/**
 * `--matcher` values (each may hold several: `{a="1",b=~"x"}`), checked here so a typo is a usage
 * error before anything is sent, and returned in canonical form (`name="value"`, one per matcher).
 */
export function parseMatcherFlags(values: readonly string[] | undefined, flag = '--matcher'): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    try {
      const list = parseMatcherList(v);
      if (list.length === 0) throw new MatcherError('it is empty');
      out.push(...list.map(formatMatcher));
    } catch (err) {
      if (!(err instanceof MatcherError)) throw err;
      throw new UsageError(`${flag} ${JSON.stringify(v)}: ${err.message}`, { hint: MATCHER_HINT });
    }
  }
  return out;
}

function statusText(a: Pick<Alert, 'status' | 'acknowledged' | 'flapping'>): string {
  return [a.status, a.acknowledged && a.status === 'firing' ? 'acked' : '', a.flapping ? 'flapping' : '']
    .filter(Boolean)
    .join(',');
}

function sortedEntries(map: Record<string, string>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function alertColumns(now: number): Column<Alert>[] {
  return [
    { header: 'id', value: (a) => a.id },
    { header: 'status', value: statusText },
    { header: 'severity', value: (a) => a.severity },
    { header: 'state', value: (a) => (a.status === 'firing' ? a.why.state : undefined) },
    { header: 'started', value: (a) => ago(a.startsAt, now) },
    { header: 'source', value: (a) => a.integration ?? a.source },
    { header: 'summary', value: (a) => a.summary },
  ];
}

export const silenceColumns: Column<Silence>[] = [
  { header: 'name', value: (s) => s.name },
  { header: 'state', value: (s) => s.state },
  { header: 'starts', value: (s) => shortTime(s.startsAt) },
  { header: 'ends', value: (s) => shortTime(s.endsAt) },
  { header: 'created-by', value: (s) => s.createdBy },
  { header: 'matchers', value: (s) => s.matchers.join(',') },
  { header: 'comment', value: (s) => s.comment },
];

/** `key: value` lines with the values aligned; undefined values are left out. */
export function fields(rows: Array<[string, string | undefined]>, indent = ''): string[] {
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(0, ...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)}${v}`);
}

const list = (items: readonly string[]) => (items.length ? items.join(', ') : undefined);

/** The why-trail: where the alert goes and everything holding it back, in words. */
export function whyLines(why: Why): string[] {
  return fields(
    [
      ['state', why.state],
      ['routes', list(why.routes.map((r) => `${r.route} → ${r.receiver} (group ${r.group})`)) ?? 'none'],
      ['silenced by', list(why.silencedBy)],
      ['inhibited by', list(why.inhibitedBy.map((i) => `rule ${i.rule} (alert ${i.alert})`))],
      ['maintenance', list(why.maintenance)],
      ['muted by', list(why.muted)],
      ['waits on', list(why.dependency)],
      ['acknowledged', why.acknowledged ? 'yes' : undefined],
      ['flapping', why.flapping ? 'yes' : undefined],
    ],
    '  ',
  );
}

function when(iso: string | null | undefined, now: number): string | undefined {
  return iso ? `${shortTime(iso)} (${ago(iso, now)})` : undefined;
}

/** `alerts show` as text: summary, labels and annotations, why-trail, recent history. */
export function alertLines(a: Alert, history: readonly AlertHistoryEntry[], now: number): string[] {
  const lines = fields([
    ['id', a.id],
    ['summary', a.summary],
    ['status', statusText(a)],
    ['severity', a.severity],
    ['source', a.integration ? `${a.source} (integration ${a.integration})` : a.source],
    ['dedup key', a.dedupKey ?? undefined],
    ['fingerprint', a.fingerprint],
    ['started', when(a.startsAt, now)],
    ['last seen', when(a.lastSeenAt, now)],
    ['ended', when(a.endsAt, now)],
    ['acknowledged', when(a.acknowledgedAt, now)],
    ['repeats', String(a.repeats)],
    ['generator', a.generatorURL ?? undefined],
  ]);
  const labels = sortedEntries(a.labels);
  lines.push('', 'labels:', ...(labels.length ? labels.map(([k, v]) => `  ${k}=${v}`) : ['  none']));
  const annotations = sortedEntries(a.annotations);
  if (annotations.length)
    lines.push('', 'annotations:', ...annotations.map(([k, v]) => `  ${k}: ${v.replace(/\s+/g, ' ')}`));
  lines.push('', 'why:', ...whyLines(a.why));
  lines.push('', `recent history (${history.length}):`);
  if (history.length === 0) lines.push('  none');
  else {
    const table = formatTable(history, [
      { header: 'time', value: (h) => shortTime(h.at) },
      { header: 'event', value: (h) => h.type },
      { header: 'message', value: (h) => h.message },
    ]);
    lines.push(
      ...table
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines;
}

export function silenceLines(s: Silence): string[] {
  return fields([
    ['name', s.name],
    ['state', s.state],
    ['matchers', s.matchers.join(', ')],
    ['starts', shortTime(s.startsAt)],
    ['ends', shortTime(s.endsAt)],
    ['created by', s.createdBy],
    ['comment', s.comment],
  ]);
}
