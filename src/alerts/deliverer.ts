import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import { BatchedTransactions } from '../platform/db/batched-transactions.js';
import type { Database } from '../platform/db/database.js';
import { SecretScrubber } from '../platform/outbound/secret-scrubber.js';
import { type Task, type TaskContext, TaskDeferred } from '../platform/queue/index.js';
import type { ConfigCache } from './alert-config.js';
import type { ReceiverSpec } from './config.model.js';
import { deliverEmail } from './deliver/email.js';
import { type DeliveryResult, forTarget, type GroupNotification } from './deliver/notification.js';
import { deliverSlack } from './deliver/slack.js';
import { deliverWebhook } from './deliver/webhook.js';
import type { TargetRef } from './dispatcher.js';
import { notificationStore } from './notification.store.js';

export interface DelivererOptions {
  database: Database;
  clock: Clock;
  config: ConfigCache;
  logger: Logger;
  reveal: (secretName: string) => Promise<string>;
  userAgent: string;
  smtpUrl?: string | undefined;
  smtpFrom: string;
}

/** How long a notification waits for the group's earlier ones before it goes out regardless. */
const ORDER_WAIT_MS = 10 * 60_000;
const ORDER_RECHECK_MS = 200;

/** A delivery that should be tried again later; the queue's backoff decides when. */
export class RetryableDeliveryError extends Error {}

/**
 * Runs one `alerts.deliver` task: sends a recorded group notification to one receiver target and
 * appends a receipt (status code, latency, error). Retryable failures throw so the queue retries
 * with backoff under the same idempotency key; the last attempt, or a permanent failure, is final.
 */
export class Deliverer {
  /** Receipts of deliveries finishing together commit together (one commit per burst, not per send). */
  private readonly receipts: BatchedTransactions;

  constructor(private readonly o: DelivererOptions) {
    this.receipts = new BatchedTransactions(o.database);
  }

  async run(task: Task, ctx: TaskContext): Promise<void> {
    const { notificationId, target, first } = task.payload as {
      notificationId: string;
      target: TargetRef;
      first?: boolean;
    };
    const row = await notificationStore.get(this.o.database.db, notificationId);
    if (!row) return;
    const n = JSON.parse(row.payload_json) as GroupNotification;
    const cfg = await this.o.config.get();
    const spec = cfg.receivers.get(row.receiver);
    const label = `${target.type}[${target.index}]`;
    // One group's notifications reach a target in the order they were made: with several workers
    // (or instances) a quick resolve could otherwise overtake its firing and leave the receiver
    // believing the group still fires. A wait that lasts past ORDER_WAIT_MS gives up on order.
    if (!first && this.o.clock.now() - Number(row.at) < ORDER_WAIT_MS) {
      const before = await notificationStore.unfinishedBefore(this.o.database.db, row, label);
      // In flight: look again soon. Retrying against a failing target: it will be a while.
      if (before)
        throw new TaskDeferred(
          `notification ${before.id} of the group goes first`,
          before.retrying ? 10 * ORDER_RECHECK_MS : ORDER_RECHECK_MS,
        );
    }
    const lastAttempt = task.attempts >= task.maxAttempts;
    // One receipt at a time per notification (its targets are delivered by concurrent tasks).
    const record = (r: DeliveryResult & { skipped?: boolean }, final: boolean) =>
      this.receipts.run(async (trx) => {
        await notificationStore.addReceipt(
          trx,
          notificationId,
          {
            at: this.o.clock.now(),
            target: label,
            attempt: task.attempts,
            ok: r.ok,
            ...(r.skipped ? { skipped: true } : {}),
            statusCode: r.statusCode,
            latencyMs: Math.round(r.latencyMs),
            error: r.error,
            final,
          },
          this.o.clock.now(),
          this.o.database.engine === 'postgres',
        );
        // The final receipt and the task's completion commit together (a lost lease keeps the receipt:
        // the send happened; the worker then reports the task lost).
        if (final) await ctx.completeIn(trx);
      }, notificationId);
    // Every secret revealed for this attempt is scrubbed from what comes back, before the receipt and
    // the log line: a target that quotes the request ("Cannot POST /services/T0/B0/…") must not put the
    // credential where viewers read it.
    const scrubber = new SecretScrubber();
    const reveal = async (name: string) => {
      const value = await this.o.reveal(name);
      scrubber.hide(value);
      return value;
    };
    let result: DeliveryResult & { skipped?: boolean };
    try {
      result = await this.send(spec, target, n, ctx.signal, reveal);
    } catch (err) {
      result = { ok: false, retryable: false, latencyMs: 0, error: (err as Error).message };
    }
    if (result.error !== undefined) result.error = scrubber.scrub(result.error);
    if (result.response !== undefined) result.response = scrubber.scrub(result.response);
    if (!result.ok && result.retryable && !lastAttempt) {
      await record(result, false);
      throw new RetryableDeliveryError(result.error ?? `delivery to ${label} failed`);
    }
    await record(result, true);
    if (!result.ok)
      this.o.logger.warn({ notification: notificationId, target: label, error: result.error }, 'delivery failed');
  }

  private async send(
    spec: ReceiverSpec | undefined,
    target: TargetRef,
    n: GroupNotification,
    signal: AbortSignal,
    reveal: (secretName: string) => Promise<string>,
  ): Promise<DeliveryResult & { skipped?: boolean }> {
    const skipped = (why: string) => ({ ok: true, retryable: false, latencyMs: 0, skipped: true, error: why });
    if (!spec) return { ok: false, retryable: false, latencyMs: 0, error: `receiver ${n.receiver} no longer exists` };
    // Targets without sendResolved get the firing alerts only (common labels recomputed), or nothing.
    const onlyFiring = (sendResolved: boolean) => forTarget(n, sendResolved) ?? undefined;
    if (target.type === 'webhook') {
      const t = spec.webhooks[target.index];
      if (!t) return { ok: false, retryable: false, latencyMs: 0, error: 'target removed from the receiver' };
      const body = onlyFiring(t.sendResolved);
      if (!body) return skipped('resolved only, and the target does not take resolved notifications');
      const url = t.url ?? (await reveal(t.urlSecret as string));
      const secretHeaders: Record<string, string> = {};
      for (const [name, secret] of Object.entries(t.headerSecrets ?? {})) secretHeaders[name] = await reveal(secret);
      return deliverWebhook(url, t, body, { signal, userAgent: this.o.userAgent, secretHeaders });
    }
    if (target.type === 'slack') {
      const t = spec.slack[target.index];
      if (!t) return { ok: false, retryable: false, latencyMs: 0, error: 'target removed from the receiver' };
      const body = onlyFiring(t.sendResolved);
      if (!body) return skipped('resolved only, and the target does not take resolved notifications');
      return deliverSlack(await reveal(t.urlSecret), t, body, { signal, userAgent: this.o.userAgent });
    }
    const t = spec.email[target.index];
    if (!t) return { ok: false, retryable: false, latencyMs: 0, error: 'target removed from the receiver' };
    const body = onlyFiring(t.sendResolved);
    if (!body) return skipped('resolved only, and the target does not take resolved notifications');
    return deliverEmail(t, body, {
      smtpUrl: this.o.smtpUrl,
      password: t.authPasswordSecret ? await reveal(t.authPasswordSecret) : undefined,
      from: t.from ?? this.o.smtpFrom,
      signal,
    });
  }
}
