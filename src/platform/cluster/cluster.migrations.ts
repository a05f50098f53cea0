import type { ModuleMigration } from '../db/migrations.js';
import { SHARDS } from './cluster.model.js';

/**
 * Cluster bookkeeping: the live instances (a heartbeat each) and a fixed set of shard leases.
 * Checks hash to shards; an instance runs the checks of the shards it holds a lease on.
 */
export const clusterMigrations: ModuleMigration[] = [
  {
    name: '2026-11-22.01-cluster',
    async up(db) {
      await db.schema
        .createTable('cluster_members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .addColumn('info', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('cluster_shards')
        .addColumn('shard', 'integer', (c) => c.primaryKey())
        .addColumn('owner', 'text')
        .addColumn('expires_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      const rows = Array.from({ length: SHARDS }, (_, shard) => ({ shard, owner: null, expires_at: 0 }));
      // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed tables exist
      await (db as any).insertInto('cluster_shards').values(rows).execute();
    },
  },
];
