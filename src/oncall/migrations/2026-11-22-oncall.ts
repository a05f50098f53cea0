import type { Db } from '../../platform/db/database.js';
import type { ModuleMigration } from '../../platform/db/migrations.js';
import { createConfigTable } from '../../platform/resources/config-table.js';

export const oncallMigrations: ModuleMigration[] = [
  {
    name: '2026-11-22.20-oncall',
    async up(db: Db) {
      await createConfigTable(db, 'oncall_config');
      for (const table of ['oncall_overrides', 'oncall_swaps'] as const) {
        let t = db.schema
          .createTable(table)
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('schedule', 'text', (c) => c.notNull());
        t =
          table === 'oncall_overrides'
            ? t.addColumn('user_email', 'text', (c) => c.notNull())
            : t.addColumn('from_user', 'text', (c) => c.notNull()).addColumn('to_user', 'text', (c) => c.notNull());
        await t
          .addColumn('start_at', 'bigint', (c) => c.notNull())
          .addColumn('end_at', 'bigint', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex(`${table}_range`).on(table).columns(['schedule', 'end_at', 'start_at']).execute();
      }
      await db.schema
        .createTable('oncall_feeds')
        .addColumn('scope', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('token_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('oncall_round_robin')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('next', 'integer', (c) => c.notNull())
        .execute();
    },
  },
];
