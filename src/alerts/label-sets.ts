// Label matchers as sets of alerts in `alert_labels`, for the alert list (see listAlerts).
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Engine, Executor } from '../platform/db/database.js';
import type { AlertsTables } from './alert.tables.js';

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

// biome-ignore lint/suspicious/noExplicitAny: conditions are built for two aliases of alert_labels
export type AnyEb = ExpressionBuilder<any, any>;

/** A label matcher decided in SQL: the alerts with label `name` whose value satisfies `holds`. */
export interface LabelSet {
  name: string;
  /** The alert matches when in the set; false: when not in it (matchers that "" satisfies). */
  member: boolean;
  holds: (eb: AnyEb, value: Expression<string>) => Expression<SqlBool>;
}

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

/** The most ids one matcher's set may hold to be intersected in memory (past that: in SQL). */
const MAX_SET_IDS = 200_000;

/**
 * The alerts in every `member` set and in no other, with `active` (1 open, 0 resolved) if given;
 * undefined when a set is too large to hold. Sets of one label hold each alert at most once (the
 * (alert_id, name) key), so the answer has no duplicates.
 */
export async function intersect(
  exec: Executor,
  sets: LabelSet[],
  active: number | undefined,
): Promise<string[] | undefined> {
  const read = async (c: LabelSet, withActive: boolean) => {
    let q = db(exec)
      .selectFrom('alert_labels')
      .select('alert_id')
      .where('name', '=', c.name)
      .where((eb) => c.holds(eb as AnyEb, sql.ref('alert_labels.value')));
    if (withActive && active !== undefined) q = q.where('active', '=', active);
    const rows = await q.limit(MAX_SET_IDS + 1).execute();
    return rows.length > MAX_SET_IDS ? undefined : rows.map((r) => r.alert_id);
  };
  const members = sets.filter((c) => c.member);
  let result: Set<string> | undefined;
  for (const c of members) {
    const ids = await read(c, true);
    if (!ids) return undefined;
    result = result ? new Set(ids.filter((id) => (result as Set<string>).has(id))) : new Set(ids);
    if (!result.size) return [];
  }
  for (const c of sets.filter((c) => !c.member)) {
    const ids = await read(c, false);
    if (!ids) return undefined;
    for (const id of ids) result?.delete(id);
  }
  return result ? [...result] : undefined;
}

/** `alerts.id` is one of `ids`, as one parameter (a JSON array on SQLite, a text[] on PostgreSQL). */
export function idIn(engine: Engine, ids: string[]): Expression<SqlBool> {
  return engine === 'sqlite'
    ? sql<SqlBool>`alerts.id in (select value from json_each(${JSON.stringify(ids)}))`
    : sql<SqlBool>`alerts.id = any(${ids}::text[])`;
}
