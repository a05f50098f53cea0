import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import { type ClusterTables, fairShare, SHARDS, shardOf } from './cluster.model.js';

export interface ShardListener {
  /** Shards this instance now holds: start their work (load state, schedule). */
  acquired(shards: number[]): Promise<void>;
  /** Shards this instance gives up or lost: stop their work and write what is buffered. */
  released(shards: number[]): Promise<void>;
}

export interface ClusterOptions {
  database: Database;
  clock: Clock;
  logger: Logger;
  /** Names this instance in the member table and on its leases; stable across its restarts. */
  memberId: string;
  /** How long a lease lasts without renewal; a killed instance's shards move after at most this plus `renewMs`. */
  leaseMs?: number | undefined;
  /** How often leases are renewed and the split is rebalanced. */
  renewMs?: number | undefined;
}

export const DEFAULT_CLUSTER_LEASE_MS = 15_000;
export const DEFAULT_CLUSTER_RENEW_MS = 3_000;

function db(exec: Executor): Kysely<ClusterTables> {
  return exec as unknown as Kysely<ClusterTables>;
}

/**
 * Several `mainstay serve` processes on one database share the work that must run once: the
 * checks. They hash to a fixed set of shards, and each shard is a lease row in the database
 * (owner, expiry). Every `renewMs` an instance records its heartbeat, renews its leases, gives
 * back what it holds beyond an even share of the live instances, and claims free or expired
 * shards up to that share. Every claim and renewal is one guarded UPDATE (`owner = me` or
 * `expired`), so two instances can never both win a shard: no consensus of our own, only row
 * updates the database serialises. An instance that stops gracefully releases its shards at
 * once; one that is killed keeps them until its leases expire (`leaseMs`), after which the
 * others take them on their next renewal. A restarted instance with the same member id takes
 * its own unexpired leases back immediately.
 *
 * On SQLite there is one process, and it holds every shard through the same code.
 */
export class Cluster {
  private readonly held = new Set<number>();
  private readonly listeners: ShardListener[] = [];
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private cancelTimer: (() => void) | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;
  private liveMembers = 1;
  private startedAt = 0;

  constructor(private readonly opts: ClusterOptions) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_CLUSTER_LEASE_MS;
    this.renewMs = opts.renewMs ?? DEFAULT_CLUSTER_RENEW_MS;
  }

  get memberId(): string {
    return this.opts.memberId;
  }

  /** Live instances seen at the last renewal (this one included). */
  get members(): number {
    return this.liveMembers;
  }

  /** Shards held now, sorted. */
  shards(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  owns(shard: number): boolean {
    return this.held.has(shard);
  }

  /** Whether the work keyed by `key` (a check id) runs here. */
  ownsKey(key: string): boolean {
    return this.held.has(shardOf(key));
  }

  /** One instance at a time runs the singleton sweeps: the holder of shard 0. */
  isLeader(): boolean {
    return this.held.has(0);
  }

  onChange(listener: ShardListener): void {
    this.listeners.push(listener);
  }

  /** Joins: the first renewal runs before this returns, so the instance starts with its share. */
  async start(): Promise<void> {
    this.running = true;
    this.startedAt = this.opts.clock.now();
    await this.tick();
  }

  /** Runs one renewal now (also what the timer calls); never throws. */
  tick(): Promise<void> {
    if (!this.ticking) {
      this.ticking = this.renew()
        .catch((err) => this.opts.logger.error({ err }, 'renewing cluster leases failed; will retry'))
        .finally(() => {
          this.ticking = undefined;
          this.arm();
        });
    }
    return this.ticking;
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (!this.running) return;
    this.cancelTimer = this.opts.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      void this.tick();
    }, this.renewMs);
  }

  private async renew(): Promise<void> {
    if (!this.running) return;
    const { database, clock, memberId } = this.opts;
    const now = clock.now();
    const expires = now + this.leaseMs;
    const { renewed, live } = await database.relaxedTransaction(async (trx) => {
      await db(trx)
        .insertInto('cluster_members')
        .values({ id: memberId, started_at: this.startedAt, heartbeat_at: now, info: '' })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: now, started_at: this.startedAt }))
        .execute();
      await db(trx)
        .deleteFrom('cluster_members')
        .where('heartbeat_at', '<', now - 20 * this.leaseMs)
        .execute();
      const count = await db(trx)
        .selectFrom('cluster_members')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('heartbeat_at', '>=', now - this.leaseMs)
        .executeTakeFirstOrThrow();
      const rows = await db(trx)
        .updateTable('cluster_shards')
        .set({ expires_at: expires })
        .where('owner', '=', memberId)
        .returning('shard')
        .execute();
      return { renewed: rows.map((r) => Number(r.shard)), live: Math.max(1, Number(count.n)) };
    });
    this.liveMembers = live;
    const renewedSet = new Set(renewed);

    // Taken over while we were not looking (a pause longer than the lease): stop at once.
    const lost = [...this.held].filter((s) => !renewedSet.has(s));
    if (lost.length) {
      this.opts.logger.warn({ shards: lost }, 'cluster shards were taken over by another instance');
      for (const s of lost) this.held.delete(s);
      await this.emit('released', lost);
    }
    // Shards renewed in the database that this process did not know it held (a restart of the
    // same member before its leases expired): they are ours again.
    const regained = renewed.filter((s) => !this.held.has(s));
    for (const s of regained) this.held.add(s);
    if (regained.length) await this.emit('acquired', regained);

    const target = fairShare(live);
    if (this.held.size > target) {
      const extra = this.shards().slice(target);
      for (const s of extra) this.held.delete(s);
      await this.emit('released', extra);
      await db(database.db)
        .updateTable('cluster_shards')
        .set({ owner: null, expires_at: 0 })
        .where('owner', '=', memberId)
        .where('shard', 'in', extra)
        .execute();
      this.opts.logger.info({ shards: extra.length, members: live }, 'cluster: gave shards back for rebalancing');
    } else if (this.held.size < target) {
      // Instances claiming at once may pick the same rows; the loser looks again (a few times).
      for (let attempt = 0; attempt < 3 && this.held.size < target; attempt++) {
        const got = await this.claim(target - this.held.size, now, expires);
        if (!got.length) break;
        for (const s of got) this.held.add(s);
        this.opts.logger.info({ shards: got.length, members: live, held: this.held.size }, 'cluster: claimed shards');
        await this.emit('acquired', got);
      }
    }
  }

  /** Claims up to `want` free or expired shards; returns the ones won. */
  private async claim(want: number, now: number, expires: number): Promise<number[]> {
    const { database, memberId } = this.opts;
    const free = await db(database.db)
      .selectFrom('cluster_shards')
      .select('shard')
      .where((eb) => eb.or([eb('owner', 'is', null), eb('expires_at', '<', now)]))
      .orderBy('shard')
      .execute();
    // Start at a point of our own so that instances claiming at once mostly pick different rows.
    const candidates = free.map((r) => Number(r.shard));
    if (!candidates.length) return [];
    const rot = shardOf(memberId) % candidates.length;
    const pick = [...candidates.slice(rot), ...candidates.slice(0, rot)].slice(0, want);
    const won = await db(database.db)
      .updateTable('cluster_shards')
      .set({ owner: memberId, expires_at: expires })
      .where('shard', 'in', pick)
      .where((eb) => eb.or([eb('owner', 'is', null), eb('expires_at', '<', now)]))
      .returning('shard')
      .execute();
    return won.map((r) => Number(r.shard));
  }

  private async emit(what: 'acquired' | 'released', shards: number[]): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l[what](shards);
      } catch (err) {
        this.opts.logger.error({ err, shards }, `cluster: handling ${what} shards failed`);
      }
    }
  }

  /** Leaves: stops the shards' work, then frees the leases and the member row so others take over at once. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.ticking;
    const all = this.shards();
    this.held.clear();
    if (all.length) await this.emit('released', all);
    try {
      const { database, memberId } = this.opts;
      await db(database.db)
        .updateTable('cluster_shards')
        .set({ owner: null, expires_at: 0 })
        .where('owner', '=', memberId)
        .execute();
      await db(database.db).deleteFrom('cluster_members').where('id', '=', memberId).execute();
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not release cluster leases; they expire on their own');
    }
  }

  /** Stops renewing without releasing anything: what a `kill -9` leaves behind (tests). */
  halt(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Every shard count, for the status endpoint and tests. */
  static readonly SHARDS = SHARDS;
}
