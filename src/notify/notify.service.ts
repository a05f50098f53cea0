import type { Logger } from 'pino';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { InputError, NotFoundError } from '../platform/errors.js';
import { type Page, type PageQuery, paginate } from '../platform/http/pagination.js';
import { newId } from '../platform/ids.js';
import type { DeliveryResult } from '../platform/outbound/delivery-result.js';
import type { Task, TaskContext, WorkQueue } from '../platform/queue/index.js';
import type { ConfigTable } from '../platform/resources/config-table.js';
import { addressError, type ChannelSpec } from './channel.model.js';
import { type ChannelMessage, type SendContext, sendToChannel } from './channels/index.js';
import { type Delivery, maskAddress } from './contact.model.js';
import { type DeliveryRow, deliveryStore } from './notify.store.js';

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

/**
 * Deliveries: one message to one channel (maybe one person's address), scheduled as a queue task in
 * the caller's transaction, sent with retries, each attempt's receipt kept and told to listeners
 * (the incident timeline). Also owns the Channel lookup and channel tests. Contact methods and
 * notification rules live in contacts.service.ts.
 */
export class NotifyService {
  private readonly listeners: DeliveryListener[] = [];

  constructor(private readonly o: NotifyServiceOptions) {}

  onDelivery(fn: DeliveryListener): void {
    this.listeners.push(fn);
  }

  async channel(exec: Executor, name: string): Promise<ChannelSpec | undefined> {
    return (await this.o.table.get<ChannelSpec>(exec, 'Channel', name))?.spec;
  }

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
  async runTask(task: Task, signal: AbortSignal, ctx?: Pick<TaskContext, 'completeIn'>): Promise<void> {
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
      // The final receipt and the task's completion commit together (a lost lease keeps the receipt:
      // the send happened; the worker then reports the task lost).
      if (final) await ctx?.completeIn(trx);
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
