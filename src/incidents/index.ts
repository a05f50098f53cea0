import type { Logger } from 'pino';
import type { AlertsModule } from '../alerts/index.js';
import type { NotifyModule } from '../notify/index.js';
import type { OncallModule } from '../oncall/index.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/database.js';
import type { MainstayModule } from '../platform/module.js';
import type { WorkQueue } from '../platform/queue/index.js';
import { AlertSource } from './alert-source.js';
import { ACK_TIMEOUT_TASK, ESCALATE_TASK, Escalator } from './escalation.js';
import { incidentRoutes } from './incident.routes.js';
import { IncidentsService } from './incident.service.js';
import { incidentStore } from './incident.store.js';
import { IncidentNotifications } from './incident-notifications.js';
import { IncidentPeople } from './incident-people.service.js';
import { linkRoutes } from './link.routes.js';
import { incidentsMigrations } from './migrations/2026-11-22-incidents.js';
import { type IncidentReader, PostmortemService, postmortemMigrations, postmortemRoutes } from './postmortem/index.js';

export type { Incident, TimelineEntry } from './incident.model.js';
export type { IncidentsService } from './incident.service.js';

export interface IncidentsModule extends MainstayModule {
  service: IncidentsService;
  postmortems: PostmortemService;
}

export interface IncidentsDeps {
  database: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditStore;
  queue: WorkQueue;
  alerts: AlertsModule;
  oncall: OncallModule;
  notify: NotifyModule;
  externalUrl: () => string;
}

/** Incidents: opened from alert groups or by hand, escalated through policies, timeline, postmortems. */
export function incidentsModule(deps: IncidentsDeps): IncidentsModule {
  const logger = deps.logger.child({ module: 'incidents' });
  const common = {
    database: deps.database,
    clock: deps.clock,
    queue: deps.queue,
    oncall: deps.oncall.service,
    paging: deps.oncall.paging,
    notify: deps.notify.service,
    contacts: deps.notify.contacts,
    links: deps.notify.links,
    externalUrl: deps.externalUrl,
    logger,
  };
  const escalator = new Escalator(common);
  const notifications = new IncidentNotifications(common);
  const service = new IncidentsService({ ...common, audit: deps.audit, escalator, notifications });
  const people = new IncidentPeople({ ...common, incidents: service });
  escalator.onRetrigger = (exec, inc) => notifications.tellChannels(exec, inc, 'incident.triggered');
  const source = new AlertSource(deps.database, deps.clock, deps.oncall.service, service, notifications, escalator);
  deps.alerts.dispatcher.onGroupNotification((exec, e) => source.onGroupNotification(exec, e));
  deps.notify.service.onDelivery((exec, e) => notifications.onDelivery(exec, e));

  const reader: IncidentReader = {
    get: async (exec, ref) => {
      const row = await incidentStore.get(exec, ref);
      return row ? service.get(row.id, exec) : undefined;
    },
    timeline: (exec, ref) => service.timelineAll(exec, ref),
    record: (exec, incidentId, entry) => service.record(exec, incidentId, [entry]),
  };
  const postmortems = new PostmortemService({
    database: deps.database,
    clock: deps.clock,
    audit: deps.audit,
    incidents: reader,
  });
  const now = () => deps.clock.now();
  return {
    name: 'incidents',
    migrations: [...incidentsMigrations, ...postmortemMigrations],
    routes: [
      ...incidentRoutes(service, people, {
        now,
        linkContext: () => ({ links: deps.notify.links, externalUrl: deps.externalUrl, now: now() }),
      }),
      ...linkRoutes(service, deps.notify.links, now),
      ...postmortemRoutes(postmortems),
    ],
    taskHandlers: {
      [ESCALATE_TASK]: (task, ctx) => escalator.onTask(task, ctx),
      [ACK_TIMEOUT_TASK]: (task) => escalator.onAckTimeout(task),
    },
    service,
    postmortems,
  };
}
