import type { Logger } from 'pino';
import type { ChecksModule } from '../checks/index.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/database.js';
import type { MainstayModule } from '../platform/module.js';
import type { WorkQueue } from '../platform/queue/index.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { SecretsService } from '../platform/secrets/secrets.service.js';
import { fingerprintOf } from './alert.model.js';
import { alertRoutes } from './alert.routes.js';
import { alertStore } from './alert.store.js';
import { ConfigCache } from './alert-config.js';
import { alertKinds } from './alerts.resources.js';
import { AlertsService } from './alerts.service.js';
import { checkEventToAlert, checkLabels } from './check-source.js';
import { Deliverer } from './deliverer.js';
import { DELIVER_TASK, Dispatcher } from './dispatcher.js';
import { groupStore } from './group.store.js';
import { intakeRoutes } from './intake.routes.js';
import { IntakeService } from './intake.service.js';
import { alertsMigrations } from './migrations/2026-11-21-alerts.js';
import { AlertPipeline, FLUSH_TASK } from './pipeline.js';

export type { AlertEvent } from './alert.model.js';
export type { AlertsService } from './alerts.service.js';
export type { GroupNotification, NotifiedAlert } from './deliver/notification.js';
export type { GroupNotificationEvent, GroupNotificationHook } from './dispatcher.js';
export type { IntakeService } from './intake.service.js';

export interface AlertsModule extends MainstayModule {
  service: AlertsService;
  intake: IntakeService;
  dispatcher: Dispatcher;
  /** Resolves open alerts whose Alertmanager-style endsAt passed; returns how many. */
  expireOnce(): Promise<number>;
  /** Deletes resolved alerts (and notifications, change events) past the retention; returns rows deleted. */
  purgeOnce(): Promise<number>;
}

export interface AlertsDeps {
  database: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditStore;
  box: SecretBox;
  secrets: SecretsService;
  queue: WorkQueue;
  checks: ChecksModule;
  /** Base URL put into notifications (links to alerts). */
  externalUrl: () => string;
  userAgent: string;
  smtpUrl?: string | undefined;
  smtpFrom: string;
  /** Run the expiry sweep and retention in this process. */
  run?: boolean | undefined;
  /** Whether this instance runs the singleton sweeps (expiry, retention); one instance at a time does. */
  isLeader?: (() => boolean) | undefined;
  /** Days resolved alerts, notifications and change events are kept. */
  retentionDays?: number | undefined;
}

const EXPIRE_EVERY_MS = 5_000;

/** The alert pipeline: intake, routing, grouping, silences, inhibition, maintenance, delivery. */
export function alertsModule(deps: AlertsDeps): AlertsModule {
  const logger = deps.logger.child({ module: 'alerts' });
  const cache = new ConfigCache(deps.database, deps.clock);
  const pipeline = new AlertPipeline(deps.clock, deps.queue, cache, logger);
  const intake = new IntakeService(deps.database, deps.clock, pipeline, cache, logger);
  const checks = deps.checks;
  const dispatcher = new Dispatcher(
    deps.database,
    deps.clock,
    deps.queue,
    cache,
    pipeline,
    {
      status: (name) => {
        const c = checks.byName(name);
        return c ? checks.statusOf(c.id) : undefined;
      },
      dependsOn: (name) => checks.byName(name)?.spec.dependsOn ?? [],
    },
    logger,
    deps.externalUrl,
  );
  pipeline.flushCreatedGroupsWith(deps.database, (trx, groups, cfg) => dispatcher.flushCreated(trx, groups, cfg));
  const deliverer = new Deliverer({
    database: deps.database,
    clock: deps.clock,
    config: cache,
    logger,
    reveal: (name) => deps.secrets.reveal(name),
    userAgent: deps.userAgent,
    smtpUrl: deps.smtpUrl,
    smtpFrom: deps.smtpFrom,
  });
  const service = new AlertsService(
    deps.database,
    deps.clock,
    deps.audit,
    deps.box,
    cache,
    intake,
    pipeline,
    dispatcher,
  );

  // Check state changes become alerts in the same transaction that stores them.
  checks.onEventsInTransaction(async (trx, events) => {
    const alertEvents = [];
    const recovered: string[] = [];
    for (const e of events) {
      const check = checks.describe(e.checkId);
      if (!check) continue;
      const a = checkEventToAlert(e, check, checks);
      if (a) alertEvents.push(a);
      if (e.type === 'up') recovered.push(check.name);
    }
    if (alertEvents.length) await pipeline.ingest(trx, alertEvents);
    // A parent that recovers releases its dependants' held alerts: flush their groups now.
    const fps = recovered.flatMap((name) =>
      checks
        .dependents(name)
        .map((c) => fingerprintOf({ source: 'check', integrationId: null, dedupKey: c.id, labels: checkLabels(c) })),
    );
    if (fps.length) {
      const open = await alertStore.openByFingerprint(trx, fps);
      if (open.size) {
        const groups = await groupStore.ofAlerts(
          trx,
          [...open.values()].map((a) => a.id),
        );
        await pipeline.flushNow(trx, groups, deps.clock.now());
      }
    }
  });

  let timer: (() => void) | undefined;
  let stopped = false;
  const expireOnce = async (): Promise<number> => {
    const now = deps.clock.now();
    const rows = await alertStore.expired(deps.database.db, now, 500);
    if (!rows.length) return 0;
    await intake.submit(
      rows.map((r) => ({
        action: 'resolve' as const,
        source: r.source as never,
        integrationId: r.integration_id,
        dedupKey: r.dedup_key,
        labels: JSON.parse(r.labels_json),
        annotations: {},
        summary: r.summary,
        severity: r.severity as never,
        endsAt: Number(r.expires_at),
      })),
    );
    return rows.length;
  };
  let nextPurgeAt = 0;
  const purgeOnce = async (): Promise<number> => {
    const before = deps.clock.now() - (deps.retentionDays ?? 90) * 86_400_000;
    let total = 0;
    for (;;) {
      const n = await deps.database.transaction((trx) => alertStore.purge(trx, before));
      total += n;
      if (n < 1000) return total;
    }
  };
  const sweep = () => {
    timer = undefined;
    if (stopped) return;
    if (deps.isLeader && !deps.isLeader()) {
      timer = deps.clock.setTimeout(sweep, EXPIRE_EVERY_MS);
      return;
    }
    const now = deps.clock.now();
    const purge = now >= nextPurgeAt;
    if (purge) nextPurgeAt = now + 3_600_000;
    expireOnce()
      .then(() => (purge ? purgeOnce() : 0))
      .catch((err) => logger.error({ err }, 'expiring alerts failed'))
      .finally(() => {
        if (!stopped) timer = deps.clock.setTimeout(sweep, EXPIRE_EVERY_MS);
      });
  };

  return {
    name: 'alerts',
    migrations: alertsMigrations,
    routes: [...alertRoutes(service), ...intakeRoutes(intake)],
    resources: alertKinds({ clock: deps.clock, audit: deps.audit, box: deps.box, secrets: deps.secrets, cache }),
    taskHandlers: {
      [FLUSH_TASK]: (task, ctx) =>
        dispatcher.flush((task.payload as { groupId: string }).groupId, task.idempotencyKey, ctx),
      [DELIVER_TASK]: (task, ctx) => deliverer.run(task, ctx),
    },
    service,
    intake,
    dispatcher,
    expireOnce,
    purgeOnce,
    async start() {
      await cache.get();
      if (deps.run !== false) timer = deps.clock.setTimeout(sweep, EXPIRE_EVERY_MS);
    },
    async stop() {
      stopped = true;
      timer?.();
    },
  };
}
