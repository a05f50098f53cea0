import type { Db } from '../db/database.js';
import type { ModuleMigration } from '../db/migrations.js';

export const secretsMigrations: ModuleMigration[] = [
  {
    name: '2026-11-21.03-secrets',
    async up(db: Db) {
      await db.schema
        .createTable('secrets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('value_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];
