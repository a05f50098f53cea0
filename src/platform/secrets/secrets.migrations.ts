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
  {
    name: '2026-11-22.01-secret-key',
    async up(db: Db) {
      // The id of the key this database's values are sealed with: an instance with another key refuses to start.
      await db.schema
        .createTable('secret_key')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];
