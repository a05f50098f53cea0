import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/database.js';
import { RateLimitedError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { AlertEvent } from './alert.model.js';
import type { AlertsTables } from './alert.tables.js';
import { type ConfigCache, hashKey, type IntegrationRecord } from './alert-config.js';
import type { AlertPipeline, IngestOutcome } from './pipeline.js';

interface Pending {
  events: AlertEvent[];
  resolve: (o: IngestOutcome) => void;
  reject: (err: unknown) => void;
}

/** Most events one group commit takes; the rest wait for the next. */
const MAX_BATCH_EVENTS = 2000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Where every intake adapter hands its events. Durable before the answer: `submit` resolves only
 * after the transaction holding the events committed. Concurrent submissions share one transaction
 * (group commit): while one commit is in flight, arriving events queue up and go together in the
 * next, so the number of fsyncs stays low under load and latency stays one commit at idle.
 */
export class IntakeService {
  private queued: Pending[] = [];
  private running = false;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly pipeline: AlertPipeline,
    private readonly config: ConfigCache,
    private readonly logger: Logger,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** The integration a key belongs to; undefined for unknown keys (the lookup is by SHA-256 of the key). */
  async integration(key: string): Promise<IntegrationRecord | undefined> {
    if (!key || key.length > 512) return undefined;
    const hash = hashKey(key);
    const found = (await this.config.get()).integrationsByHash.get(hash);
    if (found) return found;
    // Not in the configuration this instance last read (up to a second old): an integration just
    // created through another instance must not answer 404, so look at the version once more.
    return (await this.config.get(undefined, { fresh: true })).integrationsByHash.get(hash);
  }

  /** Token bucket per integration (events per minute); throws RateLimitedError when empty. */
  take(integration: IntegrationRecord, n = 1): void {
    const perMinute = integration.spec.rateLimitPerMinute;
    if (perMinute === 0) return;
    const now = this.clock.now();
    let b = this.buckets.get(integration.id);
    if (!b) {
      b = { tokens: perMinute, at: now };
      this.buckets.set(integration.id, b);
    }
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) * perMinute) / 60_000);
    b.at = now;
    if (b.tokens < n) {
      const wait = Math.ceil(((n - b.tokens) * 60_000) / perMinute / 1000);
      throw new RateLimitedError(
        `integration ${integration.name} is over its rate limit of ${perMinute} events per minute`,
        wait,
      );
    }
    b.tokens -= n;
  }

  /** Adds the integration's default labels (the event's own labels win) and its id. */
  stamp(integration: IntegrationRecord, e: AlertEvent): AlertEvent {
    return {
      ...e,
      integrationId: integration.id,
      labels: { ...integration.spec.labels, ...e.labels, integration: integration.name },
    };
  }

  submit(events: AlertEvent[]): Promise<IngestOutcome> {
    if (!events.length) return Promise.resolve({ alertIds: [] });
    return new Promise((resolve, reject) => {
      this.queued.push({ events, resolve, reject });
      if (!this.running) {
        // Start the commit on the next turn of the event loop, not now: on SQLite the whole
        // transaction (fsync included) runs without yielding, so starting at once would commit every
        // request alone (measured: 9,467 commits for 9,443 events, ~900 events/s); deferring lets the
        // requests already read from the sockets join the batch (~10,000 events/s).
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  async recordChange(
    integration: IntegrationRecord,
    change: { summary: string; source: string | null; timestamp: number | null; details: unknown },
  ): Promise<void> {
    const now = this.clock.now();
    await (this.database.db as unknown as Kysely<AlertsTables>)
      .insertInto('alert_changes')
      .values({
        id: newId(now),
        integration_id: integration.id,
        at: change.timestamp ?? now,
        summary: change.summary.slice(0, 1024),
        source: change.source,
        details_json: change.details === undefined ? null : JSON.stringify(change.details).slice(0, 64 * 1024),
      })
      .execute();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length) {
        const batch: Pending[] = [];
        let n = 0;
        while (this.queued.length && (n === 0 || n + (this.queued[0] as Pending).events.length <= MAX_BATCH_EVENTS)) {
          const p = this.queued.shift() as Pending;
          batch.push(p);
          n += p.events.length;
        }
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const all = batch.flatMap((p) => p.events);
    try {
      // Flushes it schedules are announced to (or handed to) the workers when this commits.
      const outcome = await this.database.transaction((trx) => this.pipeline.ingest(trx, all));
      let i = 0;
      for (const p of batch) {
        p.resolve({ alertIds: outcome.alertIds.slice(i, i + p.events.length) });
        i += p.events.length;
      }
    } catch (err) {
      if (batch.length === 1) {
        (batch[0] as Pending).reject(err);
        return;
      }
      // One bad submission must not fail the others: retry each alone.
      this.logger.warn({ err, submissions: batch.length }, 'group commit failed; committing submissions one by one');
      for (const p of batch) await this.commit([p]);
    }
  }
}
