import type { Db } from '../../platform/db/database.js';
import type { ModuleMigration } from '../../platform/db/migrations.js';

/**
 * Raw results and rollups are keyed by the check's small integer `seq`, not its
 * text id: at 10,000 checks every 30 s that is 29 million result rows a day, and
 * the key is most of each row.
 */
export const checksMigrations: ModuleMigration[] = [
  {
    name: '2026-11-21.10-checks',
    async up(db: Db) {
      await db.schema
        .createTable('checks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('spec_json', 'text', (c) => c.notNull())
        .addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('interval_ms', 'bigint', (c) => c.notNull())
        .addColumn('ping_key_hash', 'text', (c) => c.unique())
        .addColumn('ping_key_sealed', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('checks_kind').on('checks').column('kind').execute();

      await db.schema
        .createTable('check_state')
        .addColumn('check_id', 'text', (c) => c.primaryKey().references('checks.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('since', 'bigint')
        .addColumn('last_checked_at', 'bigint')
        .addColumn('last_latency_ms', 'integer')
        .addColumn('last_ok', 'integer')
        .addColumn('last_message', 'text')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('consecutive_successes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('history', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('flapping', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('flap_percent', 'real', (c) => c.notNull().defaultTo(0))
        .addColumn('certificate_json', 'text')
        .addColumn('cert_expiry', 'text')
        .addColumn('last_ping_at', 'bigint')
        .addColumn('run_started_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('check_state_status').on('check_state').column('status').execute();

      await db.schema
        .createTable('check_results')
        .addColumn('check_seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        /** HTTP status, exit code, row count…: enough to show an ok row without a message. */
        .addColumn('code', 'integer')
        /** Only failures (and state changes) keep their message and details. */
        .addColumn('message', 'text')
        .addColumn('details_json', 'text')
        .addPrimaryKeyConstraint('check_results_pk', ['check_seq', 'at'])
        .execute();
      await db.schema.createIndex('check_results_at').on('check_results').column('at').execute();

      for (const res of ['1m', '1h', '1d']) {
        await db.schema
          .createTable(`check_rollup_${res}`)
          .addColumn('check_seq', 'integer', (c) => c.notNull())
          .addColumn('bucket', 'bigint', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('min_ms', 'integer')
          .addColumn('max_ms', 'integer')
          .addColumn('sum_ms', 'bigint', (c) => c.notNull())
          /** Latency histogram (log buckets, sparse JSON) for p95 across buckets. */
          .addColumn('hist', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`check_rollup_${res}_pk`, ['check_seq', 'bucket'])
          .execute();
        await db.schema.createIndex(`check_rollup_${res}_bucket`).on(`check_rollup_${res}`).column('bucket').execute();
      }

      await db.schema
        .createTable('check_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('details_json', 'text')
        .execute();
      await db.schema.createIndex('check_events_check_at').on('check_events').columns(['check_id', 'at']).execute();

      await db.schema
        .createTable('check_pings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('exit_code', 'integer')
        .addColumn('duration_ms', 'bigint')
        .addColumn('body', 'text')
        .addColumn('source_ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('check_pings_check_at').on('check_pings').columns(['check_id', 'at']).execute();
    },
  },
  {
    // Which checks name which in dependsOn: deleting a check asks who depends on it, which was a
    // text scan of every spec (4.6 ms at 5,000 checks); now one index lookup.
    name: '2026-11-22.10-check-dependencies',
    async up(db: Db) {
      await db.schema
        .createTable('check_dependencies')
        .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
        .addColumn('depends_on', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('check_dependencies_pk', ['check_id', 'depends_on'])
        .execute();
      await db.schema.createIndex('check_dependencies_on').on('check_dependencies').column('depends_on').execute();
      const rows = await db.selectFrom('checks').select(['id', 'spec_json']).execute();
      const deps = rows.flatMap((r) =>
        [...new Set((JSON.parse(r.spec_json) as { dependsOn?: string[] }).dependsOn ?? [])].map((d) => ({
          check_id: r.id,
          depends_on: d,
        })),
      );
      for (let i = 0; i < deps.length; i += 500)
        await db
          .insertInto('check_dependencies')
          .values(deps.slice(i, i + 500))
          .execute();
    },
  },
  {
    // Check seqs from a counter row instead of max(seq) + 1: two checks created at once on
    // PostgreSQL took the same seq (one answered a false "already exists"), and the seq of a
    // deleted newest check came back for the next one (with its buffered results).
    name: '2026-11-22.11-check-seq-counter',
    async up(db: Db) {
      await db.schema
        .createTable('check_counters')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      const max = await db
        .selectFrom('checks')
        .select((eb) => eb.fn.max('seq').as('m'))
        .executeTakeFirst();
      await db
        .insertInto('check_counters')
        .values({ key: 'seq', value: Number(max?.m ?? 0) })
        .execute();
    },
  },
];
