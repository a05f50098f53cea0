import type { ModuleMigration } from './db/migrations.js';
import type { AnyRoute } from './http/route.js';
import type { TaskHandler } from './queue/queue.model.js';
import type { ResourceKind } from './resources/resource.js';

/**
 * A domain module (platform accounts, checks, alerts, …) as the composition root sees it:
 * its migrations, its HTTP routes, its configuration-as-code kinds, its queue task
 * handlers, and optional start/stop hooks for background work.
 */
export interface MainstayModule {
  name: string;
  migrations: readonly ModuleMigration[];
  routes?: readonly AnyRoute[];
  // biome-ignore lint/suspicious/noExplicitAny: kinds have different spec types
  resources?: readonly ResourceKind<any>[];
  taskHandlers?: Readonly<Record<string, TaskHandler>>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
