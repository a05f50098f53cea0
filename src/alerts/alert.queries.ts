import { type Expression, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Engine, Executor } from '../platform/db/database.js';
import { containsText, escapeLike } from '../platform/db/text-match.js';
import { InputError } from '../platform/errors.js';
import type { Page, PageQuery } from '../platform/http/pagination.js';
import { type AlertView, EMPTY_WHY, type Severity, type Why } from './alert.model.js';
import type { AlertRow, AlertsTables } from './alert.tables.js';
import { type AnyEb, idIn, intersect, type LabelSet, literalPattern } from './label-sets.js';
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

/** A filtered list with at most this many matches sorts them; with more, it walks the sort order. */
export const SORT_MATCHES_UP_TO = 20_000;
/** How many alerts, in sort order, a page looks through for known matches before sorting them. */
export const WALK_IDS = 5_000;

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
  /** Tests move the switch between sorting the matches and walking the sort order. */
  { sortMatchesUpTo = SORT_MATCHES_UP_TO, walkIds = WALK_IDS }: { sortMatchesUpTo?: number; walkIds?: number } = {},
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

  // Every SQL-decided matcher as a set of alerts in `alert_labels`: those with label `name` whose
  // value satisfies `holds`; the alert matches when it is in the set (`member`) or, for matchers
  // that "" satisfies, when it is not (a missing label reads as "").
  const sets: LabelSet[] = sqlMatchers.map((m) => ({
    name: m.name,
    member: true,
    holds: (eb, v) => eb(v, '=', m.value),
  }));
  for (const { m, emptyMatches, literal, prefix } of prefixes) {
    // Whether a stored value matches the regex. A prefix is first narrowed on the (name, value)
    // index — a byte range on SQLite, a case-sensitive LIKE on PostgreSQL (whose collation may not
    // order by bytes) — then checked exactly; `.` does not match a newline in RE2.
    const regexHolds = (eb: AnyEb, v: Expression<string>) =>
      prefix
        ? eb.and([
            ...(engine === 'sqlite'
              ? [
                  eb(v, '>=', literal),
                  eb(v, '<', `${literal}\u{10FFFF}`),
                  eb(sql<string>`substr(${v}, 1, ${[...literal].length})`, '=', literal),
                ]
              : [eb(v, 'like', sql<string>`${`${escapeLike(literal)}%`} escape '\\'`)]),
            eb(v, 'not like', '%\n%'),
          ])
        : eb(v, '=', literal);
    // For `!~`, the set is the alerts whose value fails to match the regex.
    const positive = (m.op === '=~') !== emptyMatches;
    sets.push({
      name: m.name,
      member: !emptyMatches,
      holds: (eb, v) => (positive ? regexHolds(eb, v) : eb.not(regexHolds(eb, v))),
    });
  }
  let impossible = false;
  for (const { m, emptyMatches, values } of valueSets) {
    if (!values.length) {
      // No value matches: nobody matches, unless "" does (then it rules nobody out).
      if (!emptyMatches) impossible = true;
      continue;
    }
    sets.push({ name: m.name, member: !emptyMatches, holds: (eb, v) => eb(v, 'in', values) });
  }
  const setOf = (c: LabelSet) =>
    db(exec)
      .selectFrom('alert_labels')
      .select('alert_labels.alert_id')
      .where('alert_labels.name', '=', c.name)
      .where((eb) => c.holds(eb as AnyEb, sql.ref('alert_labels.value')));
  const rest = (partial: boolean) => ({ limit: page.limit, offset: page.offset, partial });
  const empty = { items: [], total: 0, ...rest(false) };
  if (impossible) return empty;

  const dir = desc ? 'desc' : 'asc';
  // Severity sorts by rank: info < warning < error < critical (so -severity lists critical first).
  const order = (
    column === 'severity_rank'
      ? sql`case severity when 'info' then 0 when 'warning' then 1 when 'error' then 2 else 3 end`
      : column
  ) as 'alerts.id';
  const name = (r: AlertRow) => (r.integration_id ? (integrationNames.get(r.integration_id) ?? null) : null);
  /** One page of `query`: ids in sort order first (small rows to sort), then those rows in full. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const idsOf = async (query: SelectQueryBuilder<AlertsTables, 'alerts', any>, limit: number, offset: number) =>
    (await query.select('id').orderBy(order, dir).orderBy('id', dir).limit(limit).offset(offset).execute()).map(
      (r) => (r as { id: string }).id,
    );
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const pageOf = async (query: SelectQueryBuilder<AlertsTables, 'alerts', any>) =>
    rowsOf(await idsOf(query, page.limit, page.offset));
  const rowsOf = async (ids: string[]) => {
    if (!ids.length) return [];
    const rows = new Map(
      (await db(exec).selectFrom('alerts').selectAll().where('id', 'in', ids).execute()).map((r) => [r.id, r]),
    );
    return ids.flatMap((id) => {
      const r = rows.get(id);
      return r ? [alertView(r, name(r))] : [];
    });
  };

  if (!memMatchers.length && !sets.length) {
    const countRow = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
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

  // A page that walks the sort order checks each row's labels on the (alert_id, name) key and stops
  // after one page: quick when matches are common. `+value` (SQLite) keeps the planner on that key:
  // with the value range usable on the (name, value) index it scanned the range for every row
  // (12 s for one page at 100,000 alerts).
  const walk = (query: typeof q) => {
    for (const c of sets)
      query = query.where((eb) => {
        const has = eb.exists(
          eb
            .selectFrom('alert_labels')
            .select('alert_labels.alert_id')
            .whereRef('alert_labels.alert_id', '=', 'alerts.id')
            .where('alert_labels.name', '=', c.name)
            .where((lb) =>
              c.holds(
                lb as AnyEb,
                engine === 'sqlite' ? sql<string>`+alert_labels.value` : sql.ref('alert_labels.value'),
              ),
            ),
        );
        return c.member ? has : eb.not(has);
      });
    return query;
  };

  // Only label matchers: counted from the (name, value, active) index alone, driven by one matcher
  // that needs its label, the others as sets (no lookup of the alerts' rows).
  const driver = sets.find((c) => c.member);
  const labelsOnly = !filter.source && !filter.severity && !filter.integration && !filter.q;
  if (!memMatchers.length && driver && labelsOnly) {
    const active = filter.status === 'all' ? undefined : filter.status === 'firing' ? 1 : 0;
    // Several matchers: each set is read from the index on its own (covering, a few ms even at 25,000
    // ids) and intersected here. Intersecting in SQL built a temporary list per set and probed it
    // with every id of the other: 60-100 ms for 25,000 × 22,000 ids at 100,000 alerts.
    const ids = sets.length > 1 ? await intersect(exec, sets, active) : undefined;
    let total: number;
    // biome-ignore lint/suspicious/noExplicitAny: an aliased self-join the table types do not describe
    let matches: SelectQueryBuilder<any, any, any> | undefined;
    if (ids) total = ids.length;
    else {
      matches = db(exec)
        .selectFrom('alert_labels as d')
        .where('d.name', '=', driver.name)
        .where((eb) => driver.holds(eb as AnyEb, sql.ref('d.value')));
      if (active !== undefined) matches = matches.where('d.active', '=', active);
      for (const c of sets)
        if (c !== driver) matches = matches.where('d.alert_id', c.member ? 'in' : 'not in', setOf(c));
      const countRow = await matches.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      total = Number((countRow as { n?: unknown } | undefined)?.n ?? 0);
    }
    if (total === 0 || page.offset >= total) return { ...empty, total };
    // Few matches: sort just those. Many: walk the sort order, which finds a page of them after about
    // limit × (alerts / matches) rows.
    if (ids) {
      // The matches are known: look for the page among the first alerts in sort order, which finds it
      // when matches are common and spread out; otherwise sort the matches.
      const matched = new Set(ids);
      const first = walkIds > 0 ? await idsOf(q, walkIds, 0) : [];
      const hits = first.filter((id) => matched.has(id));
      if (hits.length >= page.offset + page.limit || first.length < walkIds)
        return { items: await rowsOf(hits.slice(page.offset, page.offset + page.limit)), total, ...rest(false) };
    }
    if (total > sortMatchesUpTo) return { items: await pageOf(walk(q)), total, ...rest(false) };
    const these = ids
      ? q.where(idIn(engine, ids))
      : q.where('alerts.id', 'in', (matches as NonNullable<typeof matches>).select('d.alert_id'));
    return { items: await pageOf(these), total, ...rest(false) };
  }

  if (!memMatchers.length) {
    // Other filters too: the count starts from the label index (`id IN (…)`: at 100,000 alerts with
    // 25,000 matching, 57 against 133 ms for correlated EXISTS), the page walks the sort order.
    let countQ = q;
    for (const c of sets) countQ = countQ.where('alerts.id', c.member ? 'in' : 'not in', setOf(c));
    const countRow = await countQ.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const total = Number((countRow as { n?: unknown } | undefined)?.n ?? 0);
    if (total === 0 || page.offset >= total) return { ...empty, total };
    const items = await pageOf(total <= sortMatchesUpTo ? countQ : walk(q));
    return { items, total, limit: page.limit, offset: page.offset, partial: false };
  }
  q = walk(q);
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
  return {
    items: await rowsOf(pageIds),
    total: matched.length,
    limit: page.limit,
    offset: page.offset,
    partial,
  };
}
