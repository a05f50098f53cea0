import type { Logger } from 'pino';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import type { MainstayModule } from '../platform/module.js';
import type { TaskHandler, WorkQueue } from '../platform/queue/index.js';
import { configTable } from '../platform/resources/config-table.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { SecretsService } from '../platform/secrets/secrets.service.js';
import { ContactsService } from './contacts.service.js';
import { ActionLinks } from './links.js';
import { notifyMigrations } from './migrations/2026-11-22-notify.js';
import { notifyKinds } from './notify.resources.js';
import { notifyRoutes } from './notify.routes.js';
import { NotifyService, PAGE_TASKS, SEND_TASK } from './notify.service.js';

export type { ChannelSpec } from './channel.model.js';
export type { ChannelMessage } from './channels/index.js';
export { type Delivery, DeliverySchema } from './contact.model.js';
export type { ContactPlanStep, ContactsService } from './contacts.service.js';
export { ActionLinks, type LinkAction, type LinkCheck, type LinkClaims } from './links.js';
export type { DeliveryEvent, DeliveryListener, DeliveryRequest, NotifyService } from './notify.service.js';
export { PAGE_TASKS, SEND_TASK } from './notify.service.js';

export interface NotifyModule extends MainstayModule {
  service: NotifyService;
  /** Contact methods and notification rules; how a person is reached for a page. */
  contacts: ContactsService;
  /** Signs and checks acknowledge/resolve links. */
  links: ActionLinks;
  /** Registers a check run before a Channel is deleted: a description of who uses it, or undefined. */
  onChannelDelete(fn: (exec: Executor, name: string) => Promise<string | undefined>): void;
  /** Task handlers of the paging lane, for the dedicated page worker. */
  pageHandlers: Readonly<Record<string, TaskHandler>>;
}

export interface NotifyDeps {
  database: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditStore;
  box: SecretBox;
  secrets: SecretsService;
  queue: WorkQueue;
  userAgent: string;
  smtpUrl?: string | undefined;
  smtpFrom: string;
}

/** Notification channels, people's contact methods and rules, deliveries with receipts, signed links. */
export function notifyModule(deps: NotifyDeps): NotifyModule {
  const logger = deps.logger.child({ module: 'notify' });
  const table = configTable('notify_config');
  const service = new NotifyService({
    database: deps.database,
    clock: deps.clock,
    logger,
    audit: deps.audit,
    queue: deps.queue,
    table,
    sendContext: () => ({
      reveal: (name) => deps.secrets.reveal(name),
      userAgent: deps.userAgent,
      ...(deps.smtpUrl ? { smtpUrl: deps.smtpUrl } : {}),
      smtpFrom: deps.smtpFrom,
      now: () => deps.clock.now(),
    }),
  });
  const contacts = new ContactsService({
    database: deps.database,
    clock: deps.clock,
    audit: deps.audit,
    channels: service,
  });
  const referrers: Array<(exec: Executor, name: string) => Promise<string | undefined>> = [];
  const run: TaskHandler = (task, ctx) => service.runTask(task, ctx.signal, ctx);
  const pageHandlers = Object.fromEntries(PAGE_TASKS.map((k) => [k, run]));
  return {
    name: 'notify',
    migrations: notifyMigrations,
    routes: notifyRoutes(service, contacts),
    resources: notifyKinds(table, { clock: deps.clock, audit: deps.audit, referrers }),
    onChannelDelete: (fn) => void referrers.push(fn),
    taskHandlers: { [SEND_TASK]: run },
    pageHandlers,
    service,
    contacts,
    links: new ActionLinks(deps.box.derive('action-links')),
  };
}
