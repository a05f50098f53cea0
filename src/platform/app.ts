import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AlertsModule, alertsModule } from '../alerts/index.js';
import { type ChecksModule, checksModule } from '../checks/index.js';
import { type IncidentsModule, incidentsModule } from '../incidents/index.js';
import { type NotifyModule, notifyModule } from '../notify/index.js';
import { type OncallModule, oncallModule } from '../oncall/index.js';
import { type AccountsModule, accountsModule } from './accounts/index.js';
import { auditMigrations } from './audit/audit.migrations.js';
import { SYSTEM_ACTOR } from './audit/audit.model.js';
import { auditRoutes } from './audit/audit.routes.js';
import { AuditStore } from './audit/audit.store.js';
import { type Clock, systemClock } from './clock.js';
import { Cluster } from './cluster/cluster.js';
import { clusterMigrations } from './cluster/cluster.migrations.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { type MigrationSet, migrate, migrationsDone } from './db/migrations.js';
import { ConflictError } from './errors.js';
import type { AnyRoute } from './http/route.js';
import { buildHttpServer } from './http/server.js';
import { randomSecret } from './ids.js';
import type { MainstayModule } from './module.js';
import { queueMigrations, type TaskHandler, Worker, WorkQueue } from './queue/index.js';
import { ResourceService } from './resources/apply.service.js';
import { ResourceRegistry } from './resources/registry.js';
import { resourcesRoutes } from './resources/resources.routes.js';
import { loadSecretKey, SecretBox, type SecretsModule, secretsModule } from './secrets/index.js';
import { createLogger } from './telemetry/logger.js';
import { Metrics } from './telemetry/metrics.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', fs.existsSync(path.resolve(here, '..', '..', 'package.json')) ? '' : '..');
export const VERSION: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

export interface AppOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** An already-open database (tests); otherwise opened from the config. */
  database?: Database;
}

export interface App {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  http: FastifyInstance;
  /** Every API route with its declared access (the authorization matrix test walks them). */
  routes: readonly AnyRoute[];
  accounts: AccountsModule;
  resources: ResourceService;
  queue: WorkQueue;
  /** This instance's membership and shard leases among the instances on one database. */
  cluster: Cluster;
  secrets: SecretBox;
  secretStore: SecretsModule['secrets'];
  checks: ChecksModule;
  alerts: AlertsModule;
  notify: NotifyModule;
  oncall: OncallModule;
  incidents: IncidentsModule;
  /** Creates the first admin when there are no users; returns its login, or null. */
  bootstrapAdmin(): Promise<{ email: string; password: string; generated: boolean } | null>;
  /** Starts listening and background work; returns the base URL. */
  start(): Promise<string>;
  /** Stops accepting, finishes in-flight requests and tasks, closes the database. */
  close(): Promise<void>;
}

/** The composition root: opens storage, migrates, wires every module, builds the HTTP server. */
export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  const database =
    opts.database ??
    openDatabase({
      url: config.databaseUrl,
      sqlitePath: config.sqlitePath,
      onQuery: (ms, failed) => metrics.dbQueryDuration.labels(failed ? 'error' : 'ok').observe(ms / 1000),
    });

  const secrets = new SecretBox(loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir }).key);
  const audit = new AuditStore(clock);
  const owner = `${os.hostname()}:${process.pid}:${randomSecret(4)}`;
  const queue = new WorkQueue({ database, clock, owner, metrics });
  const leaseMs = config.clusterLeaseSeconds * 1000;
  const cluster = new Cluster({
    database,
    clock,
    logger: logger.child({ module: 'cluster' }),
    // Host and port name an instance across its restarts (it takes its own leases straight back);
    // with port 0 the port is not known in advance, so such an instance gets a name of its own.
    memberId: config.instanceId ?? (config.port ? `${os.hostname()}:${config.port}` : owner),
    leaseMs,
    renewMs: Math.max(500, Math.round(leaseMs / 5)),
  });
  const accounts = accountsModule({ database, clock, audit, sessionTtlMs: config.sessionTtlHours * 3_600_000 });
  const secretsMod = secretsModule({ database, clock, audit, box: secrets });
  const checks = checksModule({
    database,
    clock,
    logger,
    metrics,
    audit,
    box: secrets,
    secrets: secretsMod.secrets,
    retention: { rawDays: config.checkResultRetentionDays, minuteDays: config.checkResultRetentionDays + 1 },
    maxConcurrency: config.checkConcurrency,
    run: config.checks,
    cluster,
  });

  let listenUrl = `http://${config.host}:${config.port}`;
  const alerts = alertsModule({
    database,
    clock,
    logger,
    audit,
    box: secrets,
    secrets: secretsMod.secrets,
    queue,
    checks,
    externalUrl: () => externalUrl(),
    userAgent: `Mainstay/${VERSION}`,
    smtpUrl: config.smtpUrl,
    smtpFrom: config.smtpFrom,
    run: config.worker,
    isLeader: () => cluster.isLeader() || !config.checks,
    retentionDays: config.alertRetentionDays,
  });

  const externalUrl = () => (config.externalUrl ?? listenUrl).replace(/\/$/, '');
  const notify = notifyModule({
    database,
    clock,
    logger,
    audit,
    box: secrets,
    secrets: secretsMod.secrets,
    queue,
    userAgent: `Mainstay/${VERSION}`,
    smtpUrl: config.smtpUrl,
    smtpFrom: config.smtpFrom,
  });
  const oncall = oncallModule({
    database,
    clock,
    audit,
    box: secrets,
    externalUrl,
    channelExists: async (exec, name) => (await notify.service.channel(exec, name)) !== undefined,
  });
  notify.onChannelDelete((exec, name) => oncall.policyUsingChannel(exec, name));
  const incidents = incidentsModule({ database, clock, logger, audit, queue, alerts, oncall, notify, externalUrl });

  const modules: MainstayModule[] = [
    { name: 'audit', migrations: auditMigrations },
    { name: 'queue', migrations: queueMigrations },
    { name: 'cluster', migrations: clusterMigrations },
    accounts,
    secretsMod,
    checks,
    alerts,
    notify,
    oncall,
    incidents,
  ];
  const migrationSets: MigrationSet[] = modules.map((m) => ({ module: m.name, migrations: m.migrations }));
  const applied = await migrate(database, migrationSets);
  if (applied.length) logger.info({ applied }, 'database migrated');

  const registry = new ResourceRegistry();
  for (const m of modules) for (const kind of m.resources ?? []) registry.register(kind);
  const resources = new ResourceService(database, registry);

  const handlers: Record<string, TaskHandler> = Object.assign({}, ...modules.map((m) => m.taskHandlers ?? {}));
  // Tasks are mostly I/O (deliveries wait on other servers): enough slots that slow targets do not hold up flushes.
  const worker = new Worker({ queue, handlers, clock, logger, metrics, concurrency: 32, kinds: Object.keys(handlers) });
  // Pages have their own worker and slots, and each channel type its own share of them: a slow or
  // rate-limited chat API cannot delay an SMS or a webhook page (Grafana OnCall #4087).
  const pageWorker = new Worker({
    queue,
    handlers: notify.pageHandlers,
    clock,
    logger,
    metrics,
    concurrency: 32,
    kinds: Object.keys(notify.pageHandlers),
    perKindLimit: 8,
    retention: false,
  });

  const routes: AnyRoute[] = [
    ...modules.flatMap((m) => m.routes ?? []),
    ...auditRoutes(database, audit),
    ...resourcesRoutes(resources),
  ];
  const webDir = config.webDir ?? path.join(root, 'dist', 'web');
  const http = await buildHttpServer({
    logger,
    metrics,
    routes,
    authenticate: (req) => accounts.auth.authenticate(req),
    ready: async () => {
      const checks: Record<string, string> = {};
      try {
        await database.ping();
        checks.database = 'ok';
        checks.migrations = (await migrationsDone(database, migrationSets)) ? 'ok' : 'pending';
      } catch (err) {
        checks.database = `unreachable: ${(err as Error).message}`;
      }
      return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
    },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    version: VERSION,
    webDir,
    https:
      config.tlsCert && config.tlsKey
        ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) }
        : undefined,
  });

  let closed = false;
  return {
    config,
    database,
    clock,
    logger,
    metrics,
    http,
    routes,
    accounts,
    resources,
    queue,
    cluster,
    secrets,
    secretStore: secretsMod.secrets,
    checks,
    alerts,
    notify,
    oncall,
    incidents,
    async bootstrapAdmin() {
      if (await accounts.users.hasAnyUser()) return null;
      const email = config.adminEmail ?? 'admin@mainstay.local';
      const generated = !config.adminPassword;
      const password = config.adminPassword ?? randomSecret(12);
      try {
        await accounts.users.create(SYSTEM_ACTOR, {
          email,
          name: 'Administrator',
          timeZone: 'UTC',
          role: 'admin',
          password,
        });
      } catch (err) {
        // Another instance created the first admin at the same moment.
        if (err instanceof ConflictError) return null;
        throw err;
      }
      return { email, password, generated };
    },
    async start() {
      for (const m of modules) await m.start?.();
      const address = await http.listen({ host: config.host, port: config.port });
      listenUrl = address;
      if (config.worker) {
        worker.start();
        pageWorker.start();
      }
      return address;
    },
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      await Promise.all([worker.stop(), pageWorker.stop()]);
      for (const m of [...modules].reverse()) await m.stop?.();
      await database.close();
    },
  };
}
