import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { Database, Tx } from '../platform/db/database.js';
import { newId } from '../platform/ids.js';
import { applyResult, type CheckEventInput, type CheckState, type StatePolicy } from './check.state.js';
import { checkStore, stateToRow } from './check.store.js';
import type { ResultRow, StateRow } from './check.tables.js';
import type { ProbeResult } from './probes/probe.js';
import { resultsStore } from './results.store.js';
import { MinuteAggregator } from './rollup.js';
import type { RollupJobs } from './rollup-jobs.js';

export interface SinkCheck {
  id: string;
  seq: number;
  name: string;
  policy: StatePolicy;
}

export interface StoredEvent extends CheckEventInput {
  id: string;
  checkId: string;
  checkName: string;
}

const FLUSH_MS = 250;
const FLUSH_ROWS = 2000;
const MAX_DETAILS_CHARS = 8000;

/** The small number a result row keeps for ok results (HTTP status, exit code, rows…). */
function codeOf(r: ProbeResult): number | null {
  for (const k of ['statusCode', 'exitCode', 'rows']) {
    const v = r.details[k];
    if (typeof v === 'number' && Number.isInteger(v)) return v;
  }
  return null;
}

/**
 * Where every check result goes: it advances the state machine in memory, and a
 * flush every 250 ms writes the raw results, changed states, state-change events
 * and closed minute rollups in one transaction (batched multi-row statements), so
 * thousands of results per second cost a handful of statements.
 */
export class ResultSink {
  private readonly states = new Map<string, CheckState>();
  private results: ResultRow[] = [];
  private dirty = new Map<string, StateRow>();
  private events: StoredEvent[] = [];
  private readonly minutes = new MinuteAggregator();
  private cancelTimer: (() => void) | undefined;
  private flushing: Promise<void> | undefined;
  private readonly listeners: Array<(events: StoredEvent[]) => void> = [];
  private readonly inTransaction: Array<(trx: Tx, events: StoredEvent[]) => Promise<void>> = [];
  private lastAt = new Map<number, number>();
  stopped = false;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly rollups: RollupJobs,
  ) {}

  async load(): Promise<void> {
    for (const [id, s] of await checkStore.allStates(this.database.db)) this.states.set(id, s);
    await this.rollups.recover(this.minutes);
  }

  /** Called after each committed flush with its state-change events (the alert pipeline subscribes here). */
  onEvents(fn: (events: StoredEvent[]) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Runs `fn` inside each flush's transaction with its state-change events, so what it writes (the
   * alert pipeline's alerts) commits together with the events or not at all: a crash between the two
   * cannot lose an alert. If `fn` throws, the whole batch is kept and retried.
   */
  onEventsInTransaction(fn: (trx: Tx, events: StoredEvent[]) => Promise<void>): void {
    this.inTransaction.push(fn);
  }

  state(checkId: string): CheckState | undefined {
    return this.states.get(checkId);
  }

  currentMinute(seq: number) {
    return this.minutes.current(seq);
  }

  /** Sets a state directly (new check, pause/resume, heartbeat start) and persists it with the next flush. */
  setState(checkId: string, s: CheckState, event?: CheckEventInput & { checkName: string }): void {
    this.states.set(checkId, s);
    this.dirty.set(checkId, stateToRow(checkId, s, this.clock.now()));
    if (event) this.events.push({ ...event, id: newId(event.at), checkId });
    this.schedule();
  }

  /** Takes a state written elsewhere (the database, another instance) as current, without writing it back. */
  adopt(checkId: string, s: CheckState): void {
    if (this.dirty.has(checkId)) return;
    this.states.set(checkId, s);
  }

  /** Re-reads the stored states of `ids` (work that moved to this instance starts where the last one left off). */
  async reload(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.flush();
    for (const [id, s] of await checkStore.statesOf(this.database.db, ids)) this.states.set(id, s);
  }

  /** A deleted check: nothing of it is kept, and nothing buffered of it is written any more. */
  forget(checkId: string, seq: number): void {
    this.states.delete(checkId);
    this.dirty.delete(checkId);
    this.minutes.forget(seq);
    this.lastAt.delete(seq);
    if (this.results.some((r) => r.check_seq === seq)) this.results = this.results.filter((r) => r.check_seq !== seq);
    if (this.events.some((e) => e.checkId === checkId)) this.events = this.events.filter((e) => e.checkId !== checkId);
  }

  record(check: SinkCheck, at: number, r: ProbeResult): { state: CheckState; events: CheckEventInput[] } {
    const prev = this.states.get(check.id);
    if (!prev) throw new Error(`no state for check ${check.name}`);
    const { state, events } = applyResult(
      prev,
      { at, ok: r.ok, latencyMs: r.latencyMs, message: r.message, certificate: r.certificate },
      check.policy,
    );
    this.states.set(check.id, state);
    this.dirty.set(check.id, stateToRow(check.id, state, this.clock.now()));
    // The primary key is (check, ms): two results in one millisecond get consecutive ms.
    const last = this.lastAt.get(check.seq) ?? -1;
    const stamp = at <= last ? last + 1 : at;
    this.lastAt.set(check.seq, stamp);
    const keep = !r.ok || events.length > 0;
    let details: string | null = null;
    if (keep) {
      const d = JSON.stringify({
        ...(r.error ? { error: r.error } : {}),
        ...(r.timings ? { timings: r.timings } : {}),
        details: r.details,
      });
      details = d.length > MAX_DETAILS_CHARS ? JSON.stringify({ error: r.error, truncated: true }) : d;
    }
    this.results.push({
      check_seq: check.seq,
      at: stamp,
      ok: r.ok ? 1 : 0,
      latency_ms: Math.max(0, Math.round(r.latencyMs)),
      code: codeOf(r),
      message: keep ? r.message.slice(0, 1000) : null,
      details_json: details,
    });
    this.minutes.add(check.seq, stamp, r.ok, r.latencyMs);
    for (const e of events) this.events.push({ ...e, id: newId(e.at), checkId: check.id, checkName: check.name });
    if (this.results.length >= FLUSH_ROWS) void this.flush();
    else this.schedule();
    return { state, events };
  }

  private schedule(): void {
    if (this.cancelTimer || this.stopped) return;
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      void this.flush();
    }, FLUSH_MS);
  }

  /** Writes everything buffered so far; concurrent calls share one write. */
  async flush(): Promise<void> {
    // Wait for every write in flight, not only the one seen first: two callers woken by the same
    // write must not both return before the one that took the buffers has committed.
    while (this.flushing) await this.flushing;
    const results = this.results;
    const states = [...this.dirty.values()];
    const events = this.events;
    const rollups = this.minutes.drain(this.clock.now());
    this.results = [];
    this.dirty = new Map();
    this.events = [];
    if (!results.length && !states.length && !events.length && !rollups.length) return;
    this.flushing = (async () => {
      try {
        await this.database.transaction(async (trx) => {
          await resultsStore.insertResults(trx, results);
          await checkStore.saveStates(trx, states);
          await checkStore.insertEvents(
            trx,
            events.map((e) => ({ id: e.id, checkId: e.checkId, e })),
          );
          await resultsStore.upsertRollups(trx, '1m', rollups);
          if (events.length) for (const fn of this.inTransaction) await fn(trx, events);
        });
      } catch (err) {
        // Keep nothing half-written: put the batch back for the next flush, less the rows of checks
        // deleted meanwhile (a check deleted while this batch was being written would otherwise make
        // every retry fail on its foreign key, and the buffer grow without end).
        this.logger.error({ err, results: results.length }, 'writing check results failed; will retry');
        const gone = await this.deletedAmong(states, events, results, rollups);
        this.results = results.filter((r) => !gone.seqs.has(r.check_seq)).concat(this.results);
        for (const s of states)
          if (!this.dirty.has(s.check_id) && !gone.ids.has(s.check_id)) this.dirty.set(s.check_id, s);
        this.events = events.filter((e) => !gone.ids.has(e.checkId)).concat(this.events);
        this.minutes.requeue(rollups.filter((r) => !gone.seqs.has(r.check_seq)));
        this.schedule();
        return;
      }
      if (events.length) for (const fn of this.listeners) fn(events);
      this.rollUpInBackground();
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Which of a failed batch's checks no longer exist (none when that cannot be read either). */
  private async deletedAmong(
    states: StateRow[],
    events: StoredEvent[],
    results: ResultRow[],
    rollups: Array<{ check_seq: number }>,
  ): Promise<{ ids: Set<string>; seqs: Set<number> }> {
    const ids = new Set([...states.map((s) => s.check_id), ...events.map((e) => e.checkId)]);
    const seqs = new Set([...results.map((r) => r.check_seq), ...rollups.map((r) => r.check_seq)]);
    try {
      const live = await checkStore.existing(this.database.db, [...ids], [...seqs]);
      const gone = {
        ids: new Set([...ids].filter((id) => !live.ids.has(id))),
        seqs: new Set([...seqs].filter((q) => !live.seqs.has(q))),
      };
      if (gone.ids.size || gone.seqs.size)
        this.logger.warn({ checks: gone.ids.size, seqs: gone.seqs.size }, 'dropped buffered results of deleted checks');
      return gone;
    } catch {
      return { ids: new Set(), seqs: new Set() };
    }
  }

  private rolling: Promise<void> | undefined;

  /** Hour/day roll-ups and retention run beside the flushes, never in their way (one at a time). */
  private rollUpInBackground(): void {
    if (this.rolling || this.stopped) return;
    this.rolling = this.rollups
      .maybeRollUp(this.clock.now())
      .catch((err) => this.logger.error({ err }, 'rolling up check results failed'))
      .finally(() => {
        this.rolling = undefined;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.rolling;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.flush();
  }
}
