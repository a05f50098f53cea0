import { usersStore } from '../platform/accounts/users.store.js';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { InputError, NotFoundError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { ConfigTable } from '../platform/resources/config-table.js';
import type { EscalationPolicySpec } from './escalation.model.js';
import type { OnCall, ShiftView, Timeline } from './oncall.model.js';
import { overrideStore, swapStore, toOverride, toSwap } from './oncall.store.js';
import {
  finalTimeline,
  layerShifts,
  onCallAt,
  type ScheduleExtras,
  type ScheduleSpec,
  type Shift,
} from './schedule/index.js';
import { DAY } from './schedule/wall-clock.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * "Who is on call": schedule and policy lookup, final timelines, overrides and swaps, personal
 * shifts. Calendar feeds (oncall-feeds.service.ts) and paging (oncall-paging.ts) build on these
 * same functions, so what the calendar shows is who gets woken.
 */
export class OncallService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
    private readonly table: ConfigTable,
  ) {}

  get db(): Executor {
    return this.database.db;
  }

  async schedule(exec: Executor, name: string): Promise<ScheduleSpec> {
    const spec = await this.findSchedule(exec, name);
    if (!spec)
      throw new NotFoundError(`no schedule ${name}`, { hint: 'list schedules with GET /api/v1/resources/Schedule' });
    return spec;
  }

  /** A schedule's spec, or undefined when there is no such schedule. */
  async findSchedule(exec: Executor, name: string): Promise<ScheduleSpec | undefined> {
    return (await this.table.get<ScheduleSpec>(exec, 'Schedule', name))?.spec;
  }

  async policy(exec: Executor, name: string): Promise<EscalationPolicySpec | undefined> {
    return (await this.table.get<EscalationPolicySpec>(exec, 'EscalationPolicy', name))?.spec;
  }

  async scheduleNames(exec: Executor = this.database.db): Promise<string[]> {
    return (await this.table.list(exec, 'Schedule')).map((e) => e.name);
  }

  async extras(exec: Executor, name: string, from: number, to: number): Promise<ScheduleExtras> {
    const [o, s] = await Promise.all([
      overrideStore.overlapping(exec, name, from, to),
      swapStore.overlapping(exec, name, from, to),
    ]);
    return { overrides: o.map(toOverride), swaps: s.map(toSwap) };
  }

  /** Display names of the users among `emails`, by email. */
  async names(exec: Executor, emails: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const e of new Set(emails)) {
      const u = await usersStore.byEmail(exec, e);
      if (u) out.set(e, u.name);
    }
    return out;
  }

  private view(s: Shift, names: Map<string, string>, spec?: ScheduleSpec): ShiftView {
    const layerName = s.layer === undefined ? undefined : spec?.layers[s.layer]?.name;
    return {
      ...(layerName === undefined ? {} : { layerName }),
      user: s.user,
      name: names.get(s.user) ?? null,
      start: iso(s.start),
      end: iso(s.end),
      source: s.source,
      ...(s.layer === undefined ? {} : { layer: s.layer }),
      ...(s.ref === undefined ? {} : { ref: s.ref }),
    };
  }

  /** Who holds `name` at `at`, and who is next. */
  async onCall(name: string, at: number = this.clock.now(), exec: Executor = this.database.db): Promise<OnCall> {
    const spec = await this.schedule(exec, name);
    const window = await this.extras(exec, name, at - 40 * DAY, at + 40 * DAY);
    const cur = onCallAt(spec, window, at);
    const ahead = finalTimeline(spec, window, at, at + 40 * DAY);
    const next = ahead.find((s) => s.start > at && (!cur || s.start >= cur.end));
    const names = await this.names(
      exec,
      [cur?.user, next?.user].filter((x): x is string => !!x),
    );
    return {
      schedule: name,
      timeZone: spec.timeZone,
      at: iso(at),
      onCall: cur ? this.view(cur, names, spec) : null,
      next: next ? this.view(next, names, spec) : null,
    };
  }

  async timeline(name: string, from: number, to: number): Promise<Timeline> {
    const db = this.database.db;
    const spec = await this.schedule(db, name);
    const extras = await this.extras(db, name, from, to);
    const final = guard(() => finalTimeline(spec, extras, from, to));
    const layers = spec.layers.map((l, i) => ({ name: l.name, shifts: guard(() => layerShifts(spec, i, from, to)) }));
    const names = await this.names(db, [
      ...final.map((s) => s.user),
      ...layers.flatMap((l) => l.shifts.map((s) => s.user)),
    ]);
    const [o, s] = await Promise.all([
      overrideStore.overlapping(db, name, from, to),
      swapStore.overlapping(db, name, from, to),
    ]);
    return {
      schedule: name,
      timeZone: spec.timeZone,
      from: iso(from),
      to: iso(to),
      final: final.map((x) => this.view(x, names, spec)),
      layers: layers.map((l) => ({ name: l.name, shifts: l.shifts.map((x) => this.view(x, names, spec)) })),
      overrides: o.map((r) => ({
        id: r.id,
        user: r.user_email,
        start: iso(Number(r.start_at)),
        end: iso(Number(r.end_at)),
        reason: r.reason,
      })),
      swaps: s.map((r) => ({
        id: r.id,
        from: r.from_user,
        to: r.to_user,
        start: iso(Number(r.start_at)),
        end: iso(Number(r.end_at)),
        reason: r.reason,
      })),
    };
  }

  async emailOf(userId: string): Promise<string | undefined> {
    return (await usersStore.byId(this.database.db, userId))?.email;
  }

  /** A person's shifts across every schedule in [from, to). */
  async shiftsOf(email: string, from: number, to: number): Promise<(ShiftView & { schedule: string })[]> {
    const db = this.database.db;
    const out: (ShiftView & { schedule: string })[] = [];
    if (!(await usersStore.byEmail(db, email))) throw new NotFoundError(`no user ${email}`);
    const names = await this.names(db, [email]);
    for (const e of await this.table.list<ScheduleSpec>(db, 'Schedule')) {
      const extras = await this.extras(db, e.name, from, to);
      for (const s of guard(() => finalTimeline(e.spec, extras, from, to)))
        if (s.user === email) out.push({ schedule: e.name, ...this.view(s, names, e.spec) });
    }
    return out.sort((a, b) => a.start.localeCompare(b.start));
  }

  private async requireUser(exec: Executor, email: string, path: string): Promise<void> {
    if (!(await usersStore.byEmail(exec, email)))
      throw new InputError(`${path}: no user ${email}`, { fields: [{ path, message: 'no such user' }] });
  }

  async addOverride(actor: Actor, schedule: string, o: { user: string; start: number; end: number; reason: string }) {
    return this.database.transaction(async (trx) => {
      await this.schedule(trx, schedule);
      await this.requireUser(trx, o.user, 'user');
      const now = this.clock.now();
      const row = {
        id: newId(now),
        schedule,
        user_email: o.user,
        start_at: o.start,
        end_at: o.end,
        reason: o.reason,
        created_by: actor.name,
        created_at: now,
      };
      await overrideStore.insert(trx, row);
      await this.audit.record(trx, actor, {
        action: 'overrides.create',
        resourceType: 'ScheduleOverride',
        resourceId: row.id,
        resourceName: schedule,
        after: { user: o.user, start: iso(o.start), end: iso(o.end), reason: o.reason },
      });
      return { id: row.id, user: o.user, start: iso(o.start), end: iso(o.end), reason: o.reason };
    });
  }

  async addSwap(
    actor: Actor,
    schedule: string,
    s: {
      from: string;
      to: string;
      start: number;
      end: number;
      returnStart?: number | undefined;
      returnEnd?: number | undefined;
      reason: string;
    },
  ) {
    return this.database.transaction(async (trx) => {
      await this.schedule(trx, schedule);
      await this.requireUser(trx, s.from, 'from');
      await this.requireUser(trx, s.to, 'to');
      const now = this.clock.now();
      const legs = [{ from: s.from, to: s.to, start: s.start, end: s.end }];
      if (s.returnStart !== undefined && s.returnEnd !== undefined)
        legs.push({ from: s.to, to: s.from, start: s.returnStart, end: s.returnEnd });
      const rows = legs.map((l, i) => ({
        id: newId(now + i),
        schedule,
        from_user: l.from,
        to_user: l.to,
        start_at: l.start,
        end_at: l.end,
        reason: s.reason,
        created_by: actor.name,
        created_at: now,
      }));
      await swapStore.insert(trx, rows);
      await this.audit.record(trx, actor, {
        action: 'swaps.create',
        resourceType: 'ScheduleSwap',
        resourceId: rows[0]?.id ?? null,
        resourceName: schedule,
        after: legs.map((l) => ({ ...l, start: iso(l.start), end: iso(l.end) })),
      });
      return rows.map((r) => ({
        id: r.id,
        from: r.from_user,
        to: r.to_user,
        start: iso(r.start_at),
        end: iso(r.end_at),
        reason: r.reason,
      }));
    });
  }

  async remove(actor: Actor, schedule: string, what: 'override' | 'swap', id: string): Promise<void> {
    await this.database.transaction(async (trx) => {
      const store = what === 'override' ? overrideStore : swapStore;
      const row = await store.get(trx, id);
      if (!row || row.schedule !== schedule) throw new NotFoundError(`no ${what} ${id} on schedule ${schedule}`);
      await store.delete(trx, id);
      await this.audit.record(trx, actor, {
        action: `${what}s.delete`,
        resourceType: what === 'override' ? 'ScheduleOverride' : 'ScheduleSwap',
        resourceId: id,
        resourceName: schedule,
      });
    });
  }
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) {
      const reversed = /before it starts/.test(err.message);
      throw new InputError(err.message, {
        fields: [{ path: reversed ? 'from' : 'to', message: err.message }],
        hint: reversed ? 'give a `from` before `to`' : 'ask for a shorter range',
      });
    }
    throw err;
  }
}
