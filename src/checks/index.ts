import type { Logger } from 'pino';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Cluster } from '../platform/cluster/cluster.js';
import type { Database, Tx } from '../platform/db/database.js';
import type { MainstayModule } from '../platform/module.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { SecretsService } from '../platform/secrets/secrets.service.js';
import type { Metrics } from '../platform/telemetry/metrics.js';
import { CheckQueries } from './check.queries.js';
import { checkKind } from './check.resources.js';
import { checkRoutes } from './check.routes.js';
import { CheckRuntime, type ProbeMap } from './check.runtime.js';
import { CheckService } from './check.service.js';
import type { CheckRecord } from './check.store.js';
import { checkStore, toRecord } from './check.store.js';
import { CheckSync } from './check-sync.js';
import { HeartbeatMonitor } from './heartbeat.monitor.js';
import { heartbeatRoutes } from './heartbeat.routes.js';
import { checksMigrations } from './migrations/2026-11-21-checks.js';
import { PROBES } from './probes/index.js';
import { ResultSink, type StoredEvent } from './result-sink.js';
import { DEFAULT_RETENTION, type Retention, RollupJobs } from './rollup-jobs.js';

export type { CheckService } from './check.service.js';
export type { CheckRecord } from './check.store.js';
export type { StoredEvent as CheckEvent } from './result-sink.js';

export interface ChecksModule extends MainstayModule {
  service: CheckService;
  runtime: CheckRuntime;
  sink: ResultSink;
  heartbeats: HeartbeatMonitor;
  /** Subscribe to committed state-change events. */
  onEvents(fn: (events: StoredEvent[]) => void): void;
  /** Handle state-change events inside the transaction that stores them (the alert pipeline's source). */
  onEventsInTransaction(fn: (trx: Tx, events: StoredEvent[]) => Promise<void>): void;
  /** A check by id (every check of the database, scheduled here or not). */
  describe(checkId: string): CheckRecord | undefined;
  /** A check by name. */
  byName(name: string): CheckRecord | undefined;
  /** Current status of a check ('up', 'down', 'pending', 'paused'), by id. */
  statusOf(checkId: string): string | undefined;
  /** Checks whose dependsOn lists `name`. */
  dependents(name: string): CheckRecord[];
}

export interface ChecksDeps {
  database: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  audit: AuditStore;
  box: SecretBox;
  secrets: SecretsService;
  retention?: Partial<Retention> | undefined;
  maxConcurrency?: number | undefined;
  /** Run the scheduler and heartbeat deadlines in this process (off: API only). */
  run?: boolean | undefined;
  probes?: ProbeMap | undefined;
  /** Shares the checks with other instances on the same database (each runs its shards' checks). */
  cluster?: Cluster | undefined;
  /** How often checks and states changed by other instances are read back. */
  syncMs?: number | undefined;
}

/** Synthetic checks: probes, scheduler, results and rollups, heartbeats. */
export function checksModule(deps: ChecksDeps): ChecksModule {
  const logger = deps.logger.child({ module: 'checks' });
  const rollups = new RollupJobs(deps.database, deps.clock, logger, { ...DEFAULT_RETENTION, ...deps.retention });
  const sink = new ResultSink(deps.database, deps.clock, logger, rollups);
  const heartbeats = new HeartbeatMonitor(deps.database, deps.clock, logger, sink);
  const runtime = new CheckRuntime({
    clock: deps.clock,
    logger,
    sink,
    heartbeats,
    probes: deps.probes ?? PROBES,
    secret: (name) => deps.secrets.reveal(name),
    registry: deps.metrics.registry,
    maxConcurrency: deps.maxConcurrency,
    owns: deps.cluster ? (id) => deps.cluster!.ownsKey(id) : undefined,
  });
  const sync = new CheckSync(deps.database, deps.clock, logger, runtime, sink, deps.syncMs, () =>
    deps.cluster ? deps.cluster.members <= 1 && deps.run !== false : true,
  );
  deps.cluster?.onChange(sync);
  heartbeats.beforePing = async (id) => {
    if (!runtime.owns(id)) await sink.reload([id]);
  };
  heartbeats.refreshBeforeMiss = async (ids) => {
    // Alone, this instance saw every ping itself.
    if (!deps.cluster || deps.cluster.members <= 1) return [];
    const stored = await checkStore.statesOf(deps.database.db, ids);
    const changed: string[] = [];
    for (const [id, s] of stored) {
      const mine = sink.state(id);
      if (!mine) continue;
      if ((s.lastPingAt ?? 0) > (mine.lastPingAt ?? 0) || (s.runStartedAt ?? 0) > (mine.runStartedAt ?? 0)) {
        sink.adopt(id, s);
        changed.push(id);
      }
    }
    return changed;
  };
  const queries = new CheckQueries(deps.database, sink);
  const service = new CheckService(deps.database, deps.clock, deps.audit, deps.box, runtime, sink, queries);
  return {
    name: 'checks',
    migrations: checksMigrations,
    routes: [...checkRoutes(service), ...heartbeatRoutes(service, heartbeats)],
    resources: [checkKind(service)],
    service,
    runtime,
    sink,
    heartbeats,
    onEvents: (fn) => sink.onEvents(fn),
    onEventsInTransaction: (fn) => sink.onEventsInTransaction(fn),
    describe: (id) => runtime.get(id),
    byName: (name) => runtime.all().find((c) => c.name === name),
    statusOf: (id) => sink.state(id)?.status,
    dependents: (name) => runtime.all().filter((c) => c.spec.dependsOn.includes(name)),
    async start() {
      await sink.load();
      const checks = (await checkStore.all(deps.database.db)).map(toRecord);
      // Every instance knows every check (run now, pause, dependencies); each runs only its shards'.
      for (const c of checks) runtime.apply(c);
      if (deps.run === false) {
        // API only: schedules nothing, and keeps its view in step with the instances that run checks.
        await sync.start();
        return;
      }
      await deps.cluster?.start();
      runtime.start([]);
      await sync.start();
      const running = runtime.all().filter((c) => runtime.owns(c.id)).length;
      logger.info({ checks: checks.length, running, shards: deps.cluster?.shards().length }, 'checks scheduled');
    },
    async stop() {
      sync.stop();
      await deps.cluster?.stop();
      await runtime.stop();
      await sink.stop();
    },
  };
}
