import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Database, Db } from './database.js';

/**
 * A module's schema change. `name` starts with a date so that migrations of all
 * modules apply in the order they were written: `2026-11-21.01-accounts`.
 */
export interface ModuleMigration {
  name: string;
  up(db: Db): Promise<void>;
}

export interface MigrationSet {
  module: string;
  migrations: readonly ModuleMigration[];
}

class ModulesProvider implements MigrationProvider {
  constructor(private readonly sets: readonly MigrationSet[]) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const all: Record<string, Migration> = {};
    for (const set of this.sets) {
      for (const m of set.migrations) {
        const key = `${m.name}@${set.module}`;
        if (all[key]) throw new Error(`duplicate migration ${key}`);
        all[key] = { up: (db) => m.up(db) };
      }
    }
    return all;
  }
}

/**
 * Applies every pending migration of every module, in name order, each in its
 * own transaction. Kysely's migrator takes a lock, so concurrent instances
 * starting against one PostgreSQL apply each migration once.
 */
export async function migrate(database: Database, sets: readonly MigrationSet[]): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new ModulesProvider(sets),
    allowUnorderedMigrations: true,
    migrationTableName: 'mainstay_migrations',
    migrationLockTableName: 'mainstay_migrations_lock',
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Instances started at the same moment on an empty PostgreSQL race to create the migration
  // tables themselves (before the migrator's lock exists); the loser finds them there next time.
  for (let attempt = 1; error && database.engine === 'postgres' && attempt <= 5; attempt++) {
    if (results?.some((r) => r.status === 'Error')) break;
    await new Promise((r) => setTimeout(r, 200 * attempt));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? error}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when no migration of `sets` is pending (for /readyz). */
export async function migrationsDone(database: Database, sets: readonly MigrationSet[]): Promise<boolean> {
  const migrator = new Migrator({
    db: database.db,
    provider: new ModulesProvider(sets),
    allowUnorderedMigrations: true,
    migrationTableName: 'mainstay_migrations',
    migrationLockTableName: 'mainstay_migrations_lock',
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}
