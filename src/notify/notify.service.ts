import type { Logger } from 'pino';
import type { Principal } from '../platform/accounts/index.js';
import { usersStore } from '../platform/accounts/users.store.js';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { InputError, NotAllowedError, NotFoundError } from '../platform/errors.js';
import { type Page, type PageQuery, paginate } from '../platform/http/pagination.js';
import { newId } from '../platform/ids.js';
import type { DeliveryResult } from '../platform/outbound/delivery-result.js';
import type { Task, WorkQueue } from '../platform/queue/index.js';
import type { ConfigTable } from '../platform/resources/config-table.js';
import { addressError, type ChannelSpec, hasDefaultAddress } from './channel.model.js';
import { type ChannelMessage, type SendContext, sendToChannel } from './channels/index.js';
import {
  type ContactMethod,
  type ContactMethodInput,
  type Delivery,
  maskAddress,
  type NotificationRule,
  type NotificationRuleInput,
} from './contact.model.js';
import { type ContactRow, contactStore, type DeliveryRow, deliveryStore } from './notify.store.js';

export const CHANNEL_TYPES = ['webhook', 'slack', 'teams', 'email', 'ntfy', 'telegram', 'sms', 'voice'] as const;
/** Pages run on their own lane, one task kind per channel type, so a slow type cannot hold up the others. */
export const PAGE_TASKS = CHANNEL_TYPES.map((t) => `notify.page.${t}`);
export const SEND_TASK = 'notify.send';

const iso = (ms: number) => new Date(ms).toISOString();

/** A delivery to schedule: one message, one channel, maybe one person. */
export interface DeliveryRequest {
  /** Idempotency key: scheduling the same id twice creates one delivery. */
  id: string;
  incidentId: string | null;
  userId?: string | undefined;
  contactMethodId?: string | undefined;
  channel: string;
  address?: string | undefined;
  urgency: 'high' | 'low';
  /** Pages use the isolated paging lane; channel posts and low urgency use the normal one. */
  page: boolean;
  runAt: number;
  message: ChannelMessage;
}

/** The outcome of one attempt, as listeners (the incident timeline) see it. */
export interface DeliveryEvent {
  delivery: Delivery;
  attempt: number;
  ok: boolean;
  final: boolean;
  result: DeliveryResult | undefined;
  cancelled?: boolean;
}

export type DeliveryListener = (exec: Executor, e: DeliveryEvent) => Promise<void>;

class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

export interface NotifyServiceOptions {
  database: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditStore;
  queue: WorkQueue;
  table: ConfigTable;
  sendContext: () => Omit<SendContext, 'signal'>;
  /** Attempts per delivery before it is failed (pages retry sooner and longer than mail). */
  maxAttempts?: number;
}

export class NotifyService {
  private readonly listeners: DeliveryListener[] = [];

  constructor(private readonly o: NotifyServiceOptions) {}

  onDelivery(fn: DeliveryListener): void {
    this.listeners.push(fn);
  }

  async channel(exec: Executor, name: string): Promise<ChannelSpec | undefined> {
    return (await this.o.table.get<ChannelSpec>(exec, 'Channel', name))?.spec;
  }

  // ---------------------------------------------------------------------------------------------
  // Contact methods and rules

  /** Throws unless `p` may manage the contact methods of `userId` (their own, or anyone's as an admin). */
  mayManage(p: Principal, userId: string, write = true): string {
    const id =
      userId === 'me' || (p.email !== null && userId.toLowerCase() === p.email.toLowerCase()) ? p.userId : userId;
    if (!id) throw new NotAllowedError('sign in as a user to manage contact methods');
    const admin = p.globalRole === 'admin' && (p.via !== 'token' || p.ceiling === 'admin');
    if (id !== p.userId && !admin)
      throw new NotAllowedError(`only an admin may ${write ? 'change' : 'see'} another person's contact methods`);
    return id;
  }

  private async userFor(p: Principal, userId: string, write: boolean): Promise<string> {
    const id = this.mayManage(p, userId, write);
    // `:userId` may be the id or the email (as the shifts API takes it).
    const user = id.includes('@')
      ? await usersStore.byEmail(this.o.database.db, id.toLowerCase())
      : await usersStore.byId(this.o.database.db, id);
    if (!user) throw new NotFoundError(`no user ${userId}`);
    return user.id;
  }

  private async view(exec: Executor, r: ContactRow): Promise<ContactMethod> {
    const spec = await this.channel(exec, r.channel);
    return {
      id: r.id,
      userId: r.user_id,
      name: r.name,
      channel: r.channel,
      channelType: spec?.type ?? null,
      address: r.address,
      createdAt: iso(Number(r.created_at)),
    };
  }

  async listContacts(p: Principal, userId: string): Promise<ContactMethod[]> {
    const id = await this.userFor(p, userId, false);
    const db = this.o.database.db;
    return Promise.all((await contactStore.list(db, id)).map((r) => this.view(db, r)));
  }

  private async checkContact(exec: Executor, input: ContactMethodInput): Promise<ChannelSpec> {
    const spec = await this.channel(exec, input.channel);
    if (!spec)
      throw new InputError(`no channel named ${input.channel}`, {
        fields: [{ path: 'channel', message: 'no such channel' }],
        hint: 'create the Channel first (mainstay apply, or Settings → Channels)',
      });
    const err = addressError(spec, input.address);
    if (err) throw new InputError(`address: ${err}`, { fields: [{ path: 'address', message: err }] });
    if (input.address === undefined && !hasDefaultAddress(spec) && !['webhook', 'slack', 'teams'].includes(spec.type))
      throw new InputError(`a ${spec.type} contact method needs an address`, {
        fields: [{ path: 'address', message: 'required for this channel' }],
      });
    return spec;
  }

  async createContact(p: Principal, actor: Actor, userId: string, input: ContactMethodInput): Promise<ContactMethod> {
    const id = await this.userFor(p, userId, true);
    return this.o.database.transaction(async (trx) => {
      await this.checkContact(trx, input);
      if (await contactStore.find(trx, id, input.name))
        throw new InputError(`a contact method named ${input.name} exists`, {
          fields: [{ path: 'name', message: 'already used' }],
        });
      const now = this.o.clock.now();
      const row: ContactRow = {
        id: newId(now),
        user_id: id,
        name: input.name,
        channel: input.channel,
        address: input.address ?? null,
        created_at: now,
        updated_at: now,
      };
      await contactStore.insert(trx, row);
      await this.o.audit.record(trx, actor, {
        action: 'contact-methods.create',
        resourceType: 'ContactMethod',
        resourceId: row.id,
        resourceName: `${id}/${row.name}`,
        after: { channel: row.channel, address: maskAddress(row.address) },
      });
      return this.view(trx, row);
    });
  }

  async deleteContact(p: Principal, actor: Actor, userId: string, nameOrId: string): Promise<void> {
    const id = await this.userFor(p, userId, true);
    await this.o.database.transaction(async (trx) => {
      const row = await contactStore.find(trx, id, nameOrId);
      if (!row) throw new NotFoundError(`no contact method ${nameOrId}`);
      await contactStore.delete(trx, row.id);
      await this.o.audit.record(trx, actor, {
        action: 'contact-methods.delete',
        resourceType: 'ContactMethod',
        resourceId: row.id,
        resourceName: `${id}/${row.name}`,
      });
    });
  }

  async listRules(p: Principal, userId: string): Promise<NotificationRule[]> {
    const id = await this.userFor(p, userId, false);
    const db = this.o.database.db;
    const contacts = new Map((await contactStore.list(db, id)).map((c) => [c.id, c.name]));
    return (await contactStore.rules(db, id)).map((r) => ({
      id: r.id,
      urgency: r.urgency as NotificationRule['urgency'],
      delayMinutes: Number(r.delay_minutes),
      contactMethodId: r.contact_method_id,
      contactMethod: contacts.get(r.contact_method_id) ?? '?',
    }));
  }

  async setRules(
    p: Principal,
    actor: Actor,
    userId: string,
    rules: NotificationRuleInput[],
  ): Promise<NotificationRule[]> {
    const id = await this.userFor(p, userId, true);
    await this.o.database.transaction(async (trx) => {
      const now = this.o.clock.now();
      const rows = [];
      for (const [i, r] of rules.entries()) {
        const c = await contactStore.find(trx, id, r.contactMethod);
        if (!c)
          throw new InputError(`rules.${i}.contactMethod: no contact method ${r.contactMethod}`, {
            fields: [{ path: `rules.${i}.contactMethod`, message: 'no such contact method' }],
          });
        rows.push({
          id: newId(now),
          user_id: id,
          urgency: r.urgency,
          delay_minutes: r.delayMinutes,
          contact_method_id: c.id,
          created_at: now + i,
        });
      }
      await contactStore.replaceRules(trx, id, rows);
      await this.o.audit.record(trx, actor, {
        action: 'notification-rules.update',
        resourceType: 'NotificationRules',
        resourceId: id,
        resourceName: id,
        after: rules,
      });
    });
    return this.listRules(p, userId);
  }

  /**
   * How `userId` is reached for a page of this urgency: their rules (delay and contact method), or,
   * with no rules, every contact method at once. Empty when they have no contact method at all.
   */
  async planFor(
    exec: Executor,
    userId: string,
    urgency: 'high' | 'low',
  ): Promise<{ contactMethodId: string; channel: string; address: string | null; delayMs: number }[]> {
    const contacts = new Map((await contactStore.list(exec, userId)).map((c) => [c.id, c]));
    const all = await contactStore.rules(exec, userId);
    const matching = all.filter((r) => r.urgency === 'any' || r.urgency === urgency);
    // Rules written for the other urgency only still say how this person wants to be reached.
    const rules = matching.length ? matching : all;
    const plan = rules.length
      ? rules.flatMap((r) => {
          const c = contacts.get(r.contact_method_id);
          return c ? [{ c, delayMs: Number(r.delay_minutes) * 60_000 }] : [];
        })
      : [...contacts.values()].map((c) => ({ c, delayMs: 0 }));
    return plan.map(({ c, delayMs }) => ({ contactMethodId: c.id, channel: c.channel, address: c.address, delayMs }));
  }

  // ---------------------------------------------------------------------------------------------
  // Deliveries

  /** Records deliveries and their queue tasks inside the caller's transaction. */
  async schedule(exec: Executor, requests: DeliveryRequest[]): Promise<void> {
    const now = this.o.clock.now();
    for (const r of requests) {
      const spec = await this.channel(exec, r.channel);
      const type = spec?.type ?? 'webhook';
      const lane = r.page && r.urgency === 'high' ? 'page' : 'normal';
      await deliveryStore.insert(exec, [
        {
          id: r.id,
          incident_id: r.incidentId,
          user_id: r.userId ?? null,
          contact_method_id: r.contactMethodId ?? null,
          channel: r.channel,
          channel_type: type,
          address_hint: maskAddress(r.address),
          event: r.message.event,
          urgency: r.urgency,
          lane,
          status: 'scheduled',
          run_at: r.runAt,
          attempts: 0,
          last_status_code: null,
          last_latency_ms: null,
          last_error: null,
          receipts_json: '[]',
          message_json: JSON.stringify({ message: r.message, address: r.address ?? null }),
          created_at: now,
          updated_at: now,
          delivered_at: null,
        },
      ]);
      await this.o.queue.enqueue(
        lane === 'page' ? `notify.page.${type}` : SEND_TASK,
        { deliveryId: r.id },
        { exec, runAt: r.runAt, idempotencyKey: `notify:${r.id}`, maxAttempts: this.o.maxAttempts ?? 10 },
      );
    }
  }

  /** Pages of an incident that have not gone out yet are not sent (it was acknowledged or resolved). */
  async cancelPending(exec: Executor, incidentId: string): Promise<number> {
    return (await deliveryStore.cancelPending(exec, incidentId, this.o.clock.now())).length;
  }

  /** Runs one delivery task: sends, appends the receipt, tells listeners, retries by throwing. */
  async runTask(task: Task, signal: AbortSignal): Promise<void> {
    const { deliveryId } = task.payload as { deliveryId: string };
    const db = this.o.database.db;
    const row = await deliveryStore.get(db, deliveryId);
    if (!row || row.status === 'delivered' || row.status === 'failed' || row.status === 'cancelled') return;
    const { message, address } = JSON.parse(row.message_json) as { message: ChannelMessage; address: string | null };
    const spec = await this.channel(db, row.channel);
    const result: DeliveryResult = spec
      ? await sendToChannel(spec, address ?? undefined, message, { ...this.o.sendContext(), signal })
      : { ok: false, retryable: false, latencyMs: 0, error: `channel ${row.channel} no longer exists` };
    const last = task.attempts >= task.maxAttempts;
    const final = result.ok || !result.retryable || last;
    const now = this.o.clock.now();
    const receipts = JSON.parse(row.receipts_json) as Delivery['receipts'];
    receipts.push({
      at: iso(now),
      attempt: task.attempts,
      ok: result.ok,
      ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
      latencyMs: Math.round(result.latencyMs),
      ...(result.error ? { error: result.error } : {}),
      ...(result.response ? { response: result.response.slice(0, 512) } : {}),
      final,
    });
    const patch: Partial<DeliveryRow> = {
      status: result.ok ? 'delivered' : final ? 'failed' : 'retrying',
      attempts: task.attempts,
      last_status_code: result.statusCode ?? null,
      last_latency_ms: Math.round(result.latencyMs),
      last_error: result.error ?? null,
      receipts_json: JSON.stringify(receipts.slice(-20)),
      updated_at: now,
      delivered_at: result.ok ? now : null,
    };
    await this.o.database.relaxedTransaction(async (trx) => {
      // A cancel that raced the send keeps its word only when nothing went out.
      const current = await deliveryStore.get(trx, deliveryId);
      if (current?.status === 'cancelled' && !result.ok) return;
      await deliveryStore.update(trx, deliveryId, patch);
      const delivery = toDelivery({ ...row, ...patch });
      for (const fn of this.listeners)
        await fn(trx, { delivery, attempt: task.attempts, ok: result.ok, final, result });
    });
    if (!final) throw new RetryLater(result.error ?? 'delivery failed', result.retryAfterMs);
    if (!result.ok)
      this.o.logger.warn({ delivery: deliveryId, channel: row.channel, error: result.error }, 'delivery failed');
  }

  /** Sends a test message through a channel now (not queued) and returns the channel's answer. */
  async sendTest(channel: string, address: string | undefined, actor: Actor): Promise<DeliveryResult> {
    const db = this.o.database.db;
    const spec = await this.channel(db, channel);
    if (!spec) throw new NotFoundError(`no channel ${channel}`);
    const err = address === undefined ? undefined : addressError(spec, address);
    if (err) throw new InputError(`address: ${err}`, { fields: [{ path: 'address', message: err }] });
    const now = this.o.clock.now();
    const message: ChannelMessage = {
      id: `test-${newId(now)}`,
      event: 'test',
      at: iso(now),
      title: 'Mainstay test notification',
      text: `This is a test of the ${channel} channel, sent by ${actor.name}. No action is needed.`,
      links: {},
    };
    const result = await sendToChannel(spec, address, message, this.o.sendContext());
    await this.o.audit.record(db, actor, {
      action: 'channels.test',
      resourceType: 'Channel',
      resourceId: channel,
      resourceName: channel,
      after: { ok: result.ok, statusCode: result.statusCode, error: result.error },
    });
    return result;
  }

  async listDeliveries(
    filter: { incidentId?: string | undefined; status?: string | undefined; userId?: string | undefined },
    page: PageQuery,
  ): Promise<Page<Delivery>> {
    return paginate(
      deliveryStore.query(this.o.database.db, filter),
      page,
      { createdAt: 'created_at', runAt: 'run_at' },
      '-createdAt',
      (r: DeliveryRow) => toDelivery(r),
    );
  }

  async deliveriesOf(exec: Executor, incidentId: string): Promise<Delivery[]> {
    const rows = await deliveryStore
      .query(exec, { incidentId })
      .selectAll()
      // Pages scheduled together (one step, several rules) come out in the order they go out.
      .orderBy('created_at')
      .orderBy('run_at')
      .orderBy('id')
      .limit(500)
      .execute();
    return rows.map((r) => toDelivery(r as DeliveryRow));
  }
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    incidentId: r.incident_id,
    userId: r.user_id,
    channel: r.channel,
    channelType: r.channel_type,
    address: r.address_hint,
    event: r.event,
    urgency: r.urgency as Delivery['urgency'],
    lane: r.lane as Delivery['lane'],
    status: r.status as Delivery['status'],
    runAt: iso(Number(r.run_at)),
    attempts: Number(r.attempts),
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastLatencyMs: r.last_latency_ms === null ? null : Number(r.last_latency_ms),
    lastError: r.last_error,
    receipts: JSON.parse(r.receipts_json),
    createdAt: iso(Number(r.created_at)),
    deliveredAt: r.delivered_at === null ? null : iso(Number(r.delivered_at)),
  };
}
