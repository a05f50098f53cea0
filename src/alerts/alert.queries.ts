import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Engine, Executor } from '../platform/db/database.js';
import { containsText, escapeLike } from '../platform/db/text-match.js';
import { InputError } from '../platform/errors.js';
import type { Page, PageQuery } from '../platform/http/pagination.js';
import { type AlertView, EMPTY_WHY, type Severity, type Why } from './alert.model.js';
import type { AlertRow, AlertsTables } from './alert.tables.js';
import { type Matcher, matchesAll, matchOne } from './matchers.js';

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

export interface AlertFilter {
  status: 'firing' | 'resolved' | 'all';
  matchers: Matcher[];
  q?: string | undefined;
  source?: string | undefined;
  severity?: Severity | undefined;
  integration?: string | undefined;
}

const SORTS: Record<string, string> = {
  lastSeenAt: 'last_seen_at',
  startsAt: 'starts_at',
  severity: 'severity_rank',
  summary: 'summary',
  repeats: 'repeats',
};

/** The most rows a list scans in memory after the SQL prefilter (only for a matcher on a label with more than MAX_VALUE_SET values to tell apart). */
export const MAX_MATCHER_SCAN = 20_000;
/** The most label values one matcher turns into an SQL condition. */
const MAX_VALUE_SET = 5_000;
/** The most distinct values of a label a matcher is evaluated on (past that: the bounded scan). */
const MAX_DISTINCT = 10_000;

const REGEX_META = /[\\.+*?()|[\]{}^$]/;

/** A regex that is a plain literal (`web`) or a literal followed by `.*` (`host-1.*`), or undefined. */
export function literalPattern(pattern: string): { literal: string; prefix: boolean } | undefined {
  if (!REGEX_META.test(pattern)) return { literal: pattern, prefix: false };
  if (pattern.endsWith('.*')) {
    const literal = pattern.slice(0, -2);
    if (!REGEX_META.test(literal)) return { literal, prefix: true };
  }
  return undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function alertView(r: AlertRow, integrationName: string | null, withDetails = false): AlertView {
  const why = { ...EMPTY_WHY, ...(JSON.parse(r.why_json) as Why) };
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    status: r.status as AlertView['status'],
    acknowledged: r.acknowledged_at !== null,
    acknowledgedAt: iso(r.acknowledged_at),
    summary: r.summary,
    severity: r.severity as Severity,
    labels: JSON.parse(r.labels_json),
    annotations: JSON.parse(r.annotations_json),
    source: r.source as AlertView['source'],
    integration: integrationName,
    dedupKey: r.dedup_key,
    generatorURL: r.generator_url,
    startsAt: iso(r.starts_at) as string,
    endsAt: iso(r.ends_at),
    firstSeenAt: iso(r.first_seen_at) as string,
    lastSeenAt: iso(r.last_seen_at) as string,
    repeats: Number(r.repeats),
    flapping: Number(r.flapping) === 1,
    ...(withDetails && r.details_json ? { details: JSON.parse(r.details_json) } : {}),
    why: { ...why, acknowledged: r.acknowledged_at !== null, flapping: Number(r.flapping) === 1 },
  };
}

/**
 * Lists alerts a page at a time. Equality matchers (`name="value"`, non-empty) become indexed
 * lookups in `alert_labels`; the other operators are evaluated on the label's distinct values and
 * become indexed lookups too. Only a matcher on a label with more than MAX_VALUE_SET distinct
 * values is evaluated on the prefiltered rows in memory, scanning at most MAX_MATCHER_SCAN rows (the
 * answer says when it stopped early).
 */
export async function listAlerts(
  exec: Executor,
  filter: AlertFilter,
  page: Pick<PageQuery, 'limit' | 'offset' | 'sort'>,
  integrationNames: Map<string, string>,
  engine: Engine = 'sqlite',
): Promise<Page<AlertView> & { partial: boolean }> {
  const sort = page.sort ?? '-lastSeenAt';
  const desc = sort.startsWith('-');
  const column = SORTS[desc ? sort.slice(1) : sort];
  if (!column)
    throw new InputError(`cannot sort by ${sort}`, {
      fields: [{ path: 'sort', message: `one of ${Object.keys(SORTS).join(', ')}` }],
    });
  const sqlMatchers = filter.matchers.filter((m) => m.op === '=' && m.value !== '');
  const memMatchers: Matcher[] = [];
  // Every other matcher (regex, negative, empty) is decided on the label's distinct values, which are
  // few next to the alerts, and becomes an indexed condition in SQL: counts and pages stay exact at
  // any number of alerts. A label with very many distinct values falls back to the bounded scan.
  const valueSets: Array<{ m: Matcher; emptyMatches: boolean; values: string[] }> = [];
  const prefixes: Array<{ m: Matcher; emptyMatches: boolean; literal: string; prefix: boolean }> = [];
  for (const m of filter.matchers) {
    if (m.op === '=' && m.value !== '') continue;
    const emptyMatches = matchOne(m, {});
    // `=~"host-1.*"`, `!~"web"`: a literal or a literal prefix needs no list of values at all.
    const lit = m.op === '=~' || m.op === '!~' ? literalPattern(m.value) : undefined;
    if (lit) {
      prefixes.push({ m, emptyMatches, ...lit });
      continue;
    }
    const distinct = (
      await db(exec)
        .selectFrom('alert_labels')
        .select('value')
        .distinct()
        .where('name', '=', m.name)
        .limit(MAX_DISTINCT + 1)
        .execute()
    ).map((r) => r.value);
    if (distinct.length > MAX_DISTINCT) {
      memMatchers.push(m);
      continue;
    }
    // Matching: alerts with a matching value; with "" matching, alerts without a non-matching one.
    const values = distinct.filter((v) => matchOne(m, { [m.name]: v }) !== emptyMatches);
    if (values.length > MAX_VALUE_SET) memMatchers.push(m);
    else valueSets.push({ m, emptyMatches, values });
  }
  // biome-ignore lint/suspicious/noExplicitAny: the builder's type grows with each where
  let q: SelectQueryBuilder<AlertsTables, 'alerts', any> = db(exec).selectFrom('alerts');
  if (filter.status === 'firing') q = q.where('active_key', 'is not', null);
  if (filter.status === 'resolved') q = q.where('active_key', 'is', null);
  if (filter.source) q = q.where('source', '=', filter.source);
  if (filter.severity) q = q.where('severity', '=', filter.severity);
  if (filter.integration) q = q.where('integration_id', '=', filter.integration);
  if (filter.q) q = q.where(containsText('summary', filter.q, { caseInsensitive: true }));
  // Equality matchers, two ways. The page walks the sort order and stops after one page, so each
  // row is checked with a correlated EXISTS on the (alert_id, name) primary key (measured faster on
  // SQLite than `id IN (…)` there: 153 vs 227 ms at 25,000 matches). The count visits every match,
  // so it starts from the (name, value) index instead: `id IN (…)` (at 100,000 alerts with 25,000
  // matching, 57 against 133 ms in the sqlite3 shell).
  let countQ = q;
  for (const m of sqlMatchers) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('alert_labels')
          .select('alert_labels.alert_id')
          .whereRef('alert_labels.alert_id', '=', 'alerts.id')
          .where('alert_labels.name', '=', m.name)
          .where('alert_labels.value', '=', m.value),
      ),
    );
    countQ = countQ.where(
      'alerts.id',
      'in',
      db(exec)
        .selectFrom('alert_labels')
        .select('alert_labels.alert_id')
        .where('alert_labels.name', '=', m.name)
        .where('alert_labels.value', '=', m.value),
    );
  }
  for (const { m, emptyMatches, literal, prefix } of prefixes) {
    // Whether a stored value matches the regex. A prefix is first narrowed on the (name, value)
    // index — a byte range on SQLite, a case-sensitive LIKE on PostgreSQL (whose collation may not
    // order by bytes) — then checked exactly; `.` does not match a newline in RE2.
    const regexHolds = (eb: ExpressionBuilder<AlertsTables, 'alert_labels'>) =>
      prefix
        ? eb.and([
            ...(engine === 'sqlite'
              ? [
                  eb('alert_labels.value', '>=', literal),
                  eb('alert_labels.value', '<', `${literal}\u{10FFFF}`),
                  eb(sql<string>`substr(alert_labels.value, 1, ${[...literal].length})`, '=', literal),
                ]
              : [eb('alert_labels.value', 'like', sql<string>`${`${escapeLike(literal)}%`} escape '\\'`)]),
            eb('alert_labels.value', 'not like', '%\n%'),
          ])
        : eb('alert_labels.value', '=', literal);
    // The alerts whose label value matches (for `!~`, fails to match the regex): one indexed list.
    const positive = (m.op === '=~') !== emptyMatches;
    const ids = db(exec)
      .selectFrom('alert_labels')
      .select('alert_labels.alert_id')
      .where('alert_labels.name', '=', m.name)
      .where((eb) => (positive ? regexHolds(eb) : eb.not(regexHolds(eb))));
    // A missing label reads as "": with "" matching, an alert matches unless its value fails.
    q = q.where('alerts.id', emptyMatches ? 'not in' : 'in', ids);
    countQ = countQ.where('alerts.id', emptyMatches ? 'not in' : 'in', ids);
  }
  for (const { m, emptyMatches, values } of valueSets) {
    if (!values.length) {
      if (!emptyMatches) {
        q = q.where(sql<boolean>`1 = 0`);
        countQ = countQ.where(sql<boolean>`1 = 0`);
      }
      continue;
    }
    const has = (eb: ExpressionBuilder<AlertsTables, 'alerts'>) =>
      eb.exists(
        eb
          .selectFrom('alert_labels')
          .select('alert_labels.alert_id')
          .whereRef('alert_labels.alert_id', '=', 'alerts.id')
          .where('alert_labels.name', '=', m.name)
          .where('alert_labels.value', 'in', values),
      );
    q = q.where((eb) => (emptyMatches ? eb.not(has(eb)) : has(eb)));
    // The count from the (name, value) index, as for equality above.
    countQ = countQ.where(
      'alerts.id',
      emptyMatches ? 'not in' : 'in',
      db(exec)
        .selectFrom('alert_labels')
        .select('alert_labels.alert_id')
        .where('alert_labels.name', '=', m.name)
        .where('alert_labels.value', 'in', values),
    );
  }
  const dir = desc ? 'desc' : 'asc';
  // Severity sorts by rank: info < warning < error < critical (so -severity lists critical first).
  const order = (
    column === 'severity_rank'
      ? sql`case severity when 'info' then 0 when 'warning' then 1 when 'error' then 2 else 3 end`
      : column
  ) as 'alerts.id';
  const name = (r: AlertRow) => (r.integration_id ? (integrationNames.get(r.integration_id) ?? null) : null);
  if (!memMatchers.length) {
    const countRow = await countQ.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const rows = await q
      .selectAll()
      .orderBy(order, dir)
      .orderBy('id', dir)
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return {
      items: rows.map((r) => alertView(r as AlertRow, name(r as AlertRow))),
      total: Number((countRow as { n?: unknown } | undefined)?.n ?? 0),
      limit: page.limit,
      offset: page.offset,
      partial: false,
    };
  }
  // Scan only ids and labels (not annotations, details, why), then load the one page in full.
  const scanned = (await q
    .select(['id', 'labels_json'])
    .orderBy(order, dir)
    .orderBy('id', dir)
    .limit(MAX_MATCHER_SCAN + 1)
    .execute()) as Array<Pick<AlertRow, 'id' | 'labels_json'>>;
  const partial = scanned.length > MAX_MATCHER_SCAN;
  const matched = scanned
    .slice(0, MAX_MATCHER_SCAN)
    .filter((r) => matchesAll(memMatchers, JSON.parse(r.labels_json) as Record<string, string>));
  const pageIds = matched.slice(page.offset, page.offset + page.limit).map((r) => r.id);
  const full = pageIds.length
    ? new Map(
        (await db(exec).selectFrom('alerts').selectAll().where('id', 'in', pageIds).execute()).map((r) => [r.id, r]),
      )
    : new Map<string, AlertRow>();
  return {
    items: pageIds.flatMap((id) => {
      const r = full.get(id);
      return r ? [alertView(r, name(r))] : [];
    }),
    total: matched.length,
    limit: page.limit,
    offset: page.offset,
    partial,
  };
}
