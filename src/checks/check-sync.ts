import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { ShardListener } from '../platform/cluster/cluster.js';
import { shardOf } from '../platform/cluster/cluster.model.js';
import type { Database } from '../platform/db/database.js';
import type { CheckRuntime } from './check.runtime.js';
import { type CheckRecord, checkStore, toRecord } from './check.store.js';
import type { ResultSink } from './result-sink.js';

/** How often an instance looks for checks and states changed by the others. */
export const DEFAULT_SYNC_MS = 2_000;
/** States are re-read this far back, for writers whose clocks lag or whose commits landed late. */
const STATE_OVERLAP_MS = 10_000;

function sameRecord(a: CheckRecord, b: CheckRecord): boolean {
  return (
    a.updatedAt === b.updatedAt &&
    a.enabled === b.enabled &&
    a.pingKeySealed === b.pingKeySealed &&
    JSON.stringify(a.spec) === JSON.stringify(b.spec) &&
    JSON.stringify(a.labels) === JSON.stringify(b.labels)
  );
}

/**
 * Keeps one instance's view of the checks in step with the database when several instances
 * share it. Checks added, edited or removed through another instance are picked up within one
 * sync period (a cheap signature query decides whether to reload), and the states of checks run
 * elsewhere are read back so that lists, dependencies and the API answer with the runner's view.
 * It is also the checks' shard listener: shards that move here reload their checks' stored
 * state and start running; shards that move away stop and write what is buffered.
 */
export class CheckSync implements ShardListener {
  private signature = '';
  private statesSeen = 0;
  private cancelTimer: (() => void) | undefined;
  private running = false;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly runtime: CheckRuntime,
    private readonly sink: ResultSink,
    private readonly syncMs: number = DEFAULT_SYNC_MS,
    /** True while no other instance is live: every state is written here, none to read back. */
    private readonly alone: () => boolean = () => false,
  ) {}

  /** Call after the initial load: everything stored so far is known. */
  async start(): Promise<void> {
    this.signature = await checkStore.signature(this.database.db);
    this.statesSeen = this.clock.now();
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private inShards(shards: number[]): CheckRecord[] {
    const set = new Set(shards);
    return this.runtime.all().filter((c) => set.has(shardOf(c.id)));
  }

  async acquired(shards: number[]): Promise<void> {
    const checks = this.inShards(shards);
    await this.sink.reload(checks.map((c) => c.id));
    for (const c of checks) this.adopt(c);
  }

  async released(shards: number[]): Promise<void> {
    for (const c of this.inShards(shards)) this.runtime.apply(c);
    await this.sink.flush();
  }

  /** Runs a check that is (now) ours, first making its stored state agree with its enabled flag. */
  private adopt(c: CheckRecord): void {
    const state = this.sink.state(c.id);
    // A pause or resume made on an instance that did not run the check, or lost with one that
    // was killed: the runner writes it.
    if (state && !c.enabled && state.status !== 'paused') this.runtime.setPaused(c, true, 'the check being disabled');
    if (state && c.enabled && state.status === 'paused') this.runtime.setPaused(c, false, 'the check being enabled');
    this.runtime.apply(c);
  }

  private arm(): void {
    if (!this.running) return;
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      void this.syncOnce().finally(() => this.arm());
    }, this.syncMs);
  }

  /** One pass (the timer's; exposed for tests); never throws. */
  syncOnce(): Promise<void> {
    if (!this.syncing) {
      this.syncing = this.sync()
        .catch((err) => this.logger.error({ err }, 'syncing checks from the database failed; will retry'))
        .finally(() => {
          this.syncing = undefined;
        });
    }
    return this.syncing;
  }

  private async sync(): Promise<void> {
    if (this.alone()) {
      // Every change was made here. The signature is left as it was: once another instance is
      // live, the first pass sees it differ and compares every check once.
      this.statesSeen = this.clock.now();
      return;
    }
    const exec = this.database.db;
    const signature = await checkStore.signature(exec);
    if (signature !== this.signature) {
      const rows = (await checkStore.all(exec)).map(toRecord);
      const seen = new Set<string>();
      let changed = 0;
      for (const c of rows) {
        seen.add(c.id);
        const known = this.runtime.get(c.id);
        if (known && sameRecord(known, c)) continue;
        changed++;
        if (!known) await this.sink.reload([c.id]);
        if (this.runtime.owns(c.id)) this.adopt(c);
        else this.runtime.apply(c);
      }
      for (const c of this.runtime.all()) {
        if (!seen.has(c.id)) {
          changed++;
          this.runtime.remove(c);
        }
      }
      this.signature = signature;
      if (changed) this.logger.debug({ changed }, 'checks changed on another instance');
    }

    const since = this.statesSeen - STATE_OVERLAP_MS;
    const states = await checkStore.statesSince(exec, since);
    for (const { id, state, at } of states) {
      if (at > this.statesSeen) this.statesSeen = at;
      const c = this.runtime.get(id);
      if (!c) continue;
      if (!this.runtime.owns(id)) {
        this.sink.adopt(id, state);
        continue;
      }
      // Ours: our memory is the truth, except pings that reached another instance.
      if (c.kind === 'heartbeat') {
        const mine = this.sink.state(id);
        if (
          mine &&
          ((state.lastPingAt ?? 0) > (mine.lastPingAt ?? 0) || (state.runStartedAt ?? 0) > (mine.runStartedAt ?? 0))
        ) {
          this.sink.adopt(id, state);
          this.runtime.apply(c);
        }
      }
    }
  }
}
