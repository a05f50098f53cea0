import type { Report } from './invariants.js';
import type { SqlHandle } from './process.js';

const n = (v: unknown) => Number(v);

/** Rows that point at nothing, and states that contradict themselves (both engines). */
async function logicalChecks(db: SqlHandle): Promise<string[]> {
  const problems: string[] = [];
  const orphans: Array<[string, string]> = [
    [
      'incident_alerts without their incident',
      'select count(*) as c from incident_alerts l where not exists (select 1 from incidents i where i.id = l.incident_id)',
    ],
    [
      'incident_alerts without their alert',
      'select count(*) as c from incident_alerts l where not exists (select 1 from alerts a where a.id = l.alert_id)',
    ],
    [
      'timeline entries without their incident',
      'select count(*) as c from incident_timeline t where not exists (select 1 from incidents i where i.id = t.incident_id)',
    ],
    [
      'escalation guard rows without their incident',
      'select count(*) as c from incident_escalation_steps s where not exists (select 1 from incidents i where i.id = s.incident_id)',
    ],
    [
      'deliveries without their incident',
      'select count(*) as c from notify_deliveries d where d.incident_id is not null and not exists (select 1 from incidents i where i.id = d.incident_id)',
    ],
    [
      'group members without their group',
      'select count(*) as c from alert_group_members m where not exists (select 1 from alert_groups g where g.id = m.group_id)',
    ],
    [
      'alerts firing without an open key, or resolved with one',
      "select count(*) as c from alerts where (status = 'firing') <> (active_key is not null)",
    ],
    [
      'resolved alerts without an end',
      "select count(*) as c from alerts where status = 'resolved' and ends_at is null",
    ],
    [
      'incidents open without their open key',
      "select count(*) as c from incidents where group_key is not null and status <> 'resolved' and open_key is null",
    ],
    [
      'finished tasks without finished_at',
      "select count(*) as c from queue_tasks where state in ('done', 'dead') and finished_at is null",
    ],
  ];
  for (const [what, sql] of orphans) {
    const c = n((await db.all(sql))[0]?.c);
    if (c > 0) problems.push(`${what}: ${c}`);
  }
  return problems;
}

/**
 * The database's own integrity check. SQLite: PRAGMA integrity_check and foreign_key_check.
 * PostgreSQL: amcheck (bt_index_check with heapallindexed on every B-tree index of the schema,
 * verify_heapam on every table) when the extension can be created, else reported as skipped; and
 * no invalid index or unvalidated constraint. Both: the logical checks above.
 */
export async function checkIntegrity(db: SqlHandle): Promise<Report & { notes: string[] }> {
  const problems: string[] = [];
  const notes: string[] = [];
  const figures: Record<string, number> = {};
  if (db.engine === 'sqlite') {
    const rows = await db.all('pragma integrity_check');
    const text = rows.map((r) => Object.values(r)[0]).join('; ');
    if (text !== 'ok') problems.push(`PRAGMA integrity_check: ${text}`);
    const fk = await db.all('pragma foreign_key_check');
    if (fk.length) problems.push(`PRAGMA foreign_key_check: ${fk.length} rows, e.g. ${JSON.stringify(fk[0])}`);
    notes.push('SQLite: PRAGMA integrity_check ok, foreign_key_check clean');
  } else {
    const schema = db.schema ?? 'public';
    const invalid = await db.all(
      'select c.relname from pg_index x join pg_class c on c.oid = x.indexrelid join pg_namespace s on s.oid = c.relnamespace where s.nspname = ? and not (x.indisvalid and x.indisready)',
      [schema],
    );
    if (invalid.length) problems.push(`invalid indexes: ${invalid.map((r) => r.relname).join(', ')}`);
    const unvalidated = await db.all(
      'select conname from pg_constraint k join pg_namespace s on s.oid = k.connamespace where s.nspname = ? and not k.convalidated',
      [schema],
    );
    if (unvalidated.length) problems.push(`unvalidated constraints: ${unvalidated.map((r) => r.conname).join(', ')}`);
    const amcheck = await amcheckSchema(db);
    if (!amcheck) notes.push('PostgreSQL: amcheck not available, skipped (index validity and constraints checked)');
    else {
      const indexes = await db.all(
        "select c.oid::regclass::text as name from pg_index x join pg_class c on c.oid = x.indexrelid join pg_am a on a.oid = c.relam join pg_namespace s on s.oid = c.relnamespace where s.nspname = ? and a.amname = 'btree'",
        [schema],
      );
      for (const i of indexes) {
        try {
          await db.all(`select ${amcheck}.bt_index_check(?::regclass, true)`, [i.name]);
        } catch (err) {
          problems.push(`bt_index_check(${i.name}): ${(err as Error).message}`);
        }
      }
      const tables = await db.all(
        "select c.oid::regclass::text as name from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = ? and c.relkind = 'r'",
        [schema],
      );
      for (const t of tables) {
        const rows = await db.all(`select * from ${amcheck}.verify_heapam(?::regclass)`, [t.name]);
        if (rows.length) problems.push(`verify_heapam(${t.name}): ${rows.length} problems, e.g. ${rows[0]?.msg}`);
      }
      figures.indexesChecked = indexes.length;
      figures.tablesChecked = tables.length;
      notes.push(`PostgreSQL: amcheck ok on ${indexes.length} B-tree indexes and ${tables.length} tables`);
    }
  }
  problems.push(...(await logicalChecks(db)));
  return { problems, figures, notes };
}

/**
 * The schema holding amcheck's functions, creating the extension once in a schema of its own
 * (`mainstay_amcheck`: an extension exists once per database, so not in a test schema that is
 * dropped); undefined when the server does not ship it or the role may not create it.
 */
async function amcheckSchema(db: SqlHandle): Promise<string | undefined> {
  const find = async () =>
    (
      await db.all(
        "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'amcheck'",
      )
    )[0]?.nspname as string | undefined;
  const existing = await find();
  if (existing) return existing;
  const available = await db.all("select 1 from pg_available_extensions where name = 'amcheck'");
  if (!available.length) return undefined;
  try {
    await db.all('create schema if not exists mainstay_amcheck');
    await db.all('create extension if not exists amcheck with schema mainstay_amcheck');
  } catch {
    // Another test created it at the same moment, or this role may not: look once more.
  }
  return find();
}
