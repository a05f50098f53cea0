import { createHash } from 'node:crypto';
import { teamsStore } from '../platform/accounts/teams.store.js';
import { usersStore } from '../platform/accounts/users.store.js';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { InputError, NotFoundError } from '../platform/errors.js';
import { newId, randomSecret } from '../platform/ids.js';
import type { ConfigTable } from '../platform/resources/config-table.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { EscalationPolicySpec, EscalationTarget, SupportHours } from './escalation.model.js';
import type { OnCall, ShiftView, Timeline } from './oncall.model.js';
import { feedStore, overrideStore, roundRobinStore, swapStore, toOverride, toSwap } from './oncall.store.js';
import {
  finalTimeline,
  layerShifts,
  onCallAt,
  renderICalendar,
  type ScheduleExtras,
  type ScheduleSpec,
  type Shift,
  shiftUid,
} from './schedule/index.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A person an escalation level reaches, and through which target. */
export interface PagedUser {
  userId: string;
  email: string;
  name: string;
  /** `user`, `schedule:<name>`, `team:<slug>`. */
  via: string;
}

export interface LevelTargets {
  users: PagedUser[];
  channels: string[];
  /** Targets that reached nobody (empty schedule slot, unknown user), for the timeline. */
  unreached: string[];
}

/**
 * "Who is on call" and everything built on it: final timelines, overrides and swaps, personal
 * shifts, iCalendar feeds, and the people an escalation level pages. The pager asks the same
 * functions the API answers with, so what the calendar shows is who gets woken.
 */
export class OncallService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
    private readonly box: SecretBox,
    private readonly table: ConfigTable,
  ) {}

  get db(): Executor {
    return this.database.db;
  }

  /** resolveLevel without side effects: a round-robin target shows its whole team instead of advancing. */
  async previewLevel(policyName: string, spec: EscalationPolicySpec, level: number, at: number): Promise<LevelTargets> {
    const lvl = spec.levels[level];
    const preview: EscalationPolicySpec = {
      ...spec,
      levels: spec.levels.map((l, i) =>
        i === level && lvl
          ? { ...l, targets: l.targets.map((t) => ('team' in t ? { ...t, roundRobin: false } : t)) }
          : l,
      ),
    };
    return this.resolveLevel(this.database.db, policyName, preview, level, at);
  }

  async schedule(exec: Executor, name: string): Promise<ScheduleSpec> {
    const e = await this.table.get<ScheduleSpec>(exec, 'Schedule', name);
    if (!e)
      throw new NotFoundError(`no schedule ${name}`, { hint: 'list schedules with GET /api/v1/resources/Schedule' });
    return e.spec;
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

  private async names(exec: Executor, emails: string[]): Promise<Map<string, string>> {
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

  // ---------------------------------------------------------------------------------------------
  // iCalendar feeds (secret URLs)

  /** Creates (or replaces, revoking the old URL) the secret feed token of a scope; returns the token. */
  async newFeed(actor: Actor, scope: { schedule: string } | { userEmail: string }): Promise<string> {
    const key = 'schedule' in scope ? `schedule:${scope.schedule}` : `user:${scope.userEmail}`;
    return this.database.transaction(async (trx) => {
      if ('schedule' in scope) await this.schedule(trx, scope.schedule);
      const token = randomSecret(24);
      await feedStore.put(trx, {
        scope: key,
        token_hash: hashToken(token),
        token_sealed: this.box.seal(token),
        created_at: this.clock.now(),
      });
      await this.audit.record(trx, actor, {
        action: 'calendar-feeds.create',
        resourceType: 'CalendarFeed',
        resourceId: key,
        resourceName: key,
      });
      return token;
    });
  }

  async feedToken(scope: { schedule: string } | { userEmail: string }): Promise<string | undefined> {
    const key = 'schedule' in scope ? `schedule:${scope.schedule}` : `user:${scope.userEmail}`;
    const row = await feedStore.byScope(this.database.db, key);
    return row ? this.box.open(row.token_sealed) : undefined;
  }

  /** The iCalendar text of a feed token (30 days back, 90 ahead), or undefined for an unknown token. */
  async renderFeed(token: string): Promise<string | undefined> {
    const db = this.database.db;
    const row = await feedStore.byHash(db, hashToken(token));
    if (!row) return undefined;
    const now = this.clock.now();
    const from = now - 30 * DAY;
    const to = now + 90 * DAY;
    const [kind, ...rest] = row.scope.split(':');
    const ref = rest.join(':');
    if (kind === 'schedule') {
      const spec = await this.table.get<ScheduleSpec>(db, 'Schedule', ref);
      if (!spec) return undefined;
      const shifts = finalTimeline(spec.spec, await this.extras(db, ref, from, to), from, to);
      const names = await this.names(
        db,
        shifts.map((s) => s.user),
      );
      return renderICalendar({
        name: `On call: ${ref}`,
        now,
        events: shifts.map((s) => ({
          uid: shiftUid(`schedule:${ref}`, s),
          summary: `On call: ${names.get(s.user) ?? s.user}`,
          start: s.start,
          end: s.end,
          description: `${ref} (${s.source})`,
        })),
      });
    }
    const shifts = await this.shiftsOf(ref, from, to);
    return renderICalendar({
      name: `My on-call shifts (${ref})`,
      now,
      events: shifts.map((s) => {
        const start = Date.parse(s.start);
        const end = Date.parse(s.end);
        return {
          uid: shiftUid(`user:${ref}:${s.schedule}`, { user: s.user, start, end, source: s.source }),
          summary: `On call: ${s.schedule}`,
          start,
          end,
        };
      }),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Paging

  /** The people and channels level `level` of `policy` reaches at `at`. */
  async resolveLevel(
    exec: Executor,
    policyName: string,
    spec: EscalationPolicySpec,
    level: number,
    at: number,
  ): Promise<LevelTargets> {
    const out: LevelTargets = { users: [], channels: [], unreached: [] };
    const lvl = spec.levels[level];
    if (!lvl) return out;
    const add = async (email: string, via: string) => {
      const u = await usersStore.byEmail(exec, email);
      if (!u || u.disabled) {
        out.unreached.push(`${via}: ${email} is not an active user`);
        return;
      }
      if (!out.users.some((x) => x.userId === u.id))
        out.users.push({ userId: u.id, email: u.email, name: u.name, via });
    };
    for (const [i, t] of lvl.targets.entries()) {
      await this.resolveTarget(exec, t, at, `${policyName}:${level}:${i}`, add, out);
    }
    return out;
  }

  private async resolveTarget(
    exec: Executor,
    t: EscalationTarget,
    at: number,
    rrKey: string,
    add: (email: string, via: string) => Promise<void>,
    out: LevelTargets,
  ): Promise<void> {
    if ('user' in t) return add(t.user, 'user');
    if ('channel' in t) {
      out.channels.push(t.channel);
      return;
    }
    if ('schedule' in t) {
      const e = await this.table.get<ScheduleSpec>(exec, 'Schedule', t.schedule);
      if (!e) {
        out.unreached.push(`schedule:${t.schedule} does not exist`);
        return;
      }
      // Only who holds `at` matters here, not the extent of their shift: a one-millisecond timeline
      // answers that without searching for the shift's ends (long for a one-person rotation).
      const shift = finalTimeline(e.spec, await this.extras(exec, t.schedule, at, at + 1), at, at + 1)[0];
      if (!shift) out.unreached.push(`schedule:${t.schedule} has nobody on call now`);
      else await add(shift.user, `schedule:${t.schedule}`);
      return;
    }
    const team = await teamsStore.byName(exec, t.team);
    const members = team ? await teamsStore.allMembers(exec, team.id) : [];
    if (!members.length) {
      out.unreached.push(`team:${t.team} has no members`);
      return;
    }
    const sorted = [...members].sort((a, b) => a.email.localeCompare(b.email));
    if (!t.roundRobin) {
      for (const m of sorted) await add(m.email, `team:${t.team}`);
      return;
    }
    const i = await roundRobinStore.take(exec, rrKey, sorted.length);
    await add((sorted[i] ?? sorted[0])?.email as string, `team:${t.team} (round-robin)`);
  }

  /** Inside support hours at `at`, or the next instant they start (within two weeks). */
  supportWindow(sh: SupportHours, at: number): { inside: boolean; nextStart: number | undefined } {
    const spec: ScheduleSpec = {
      timeZone: sh.timeZone,
      layers: [
        {
          name: 'support',
          rotation: { every: 1, unit: 'weeks', start: '1970-01-01', handoff: '00:00', participants: ['support@hours'] },
          restrictions: [{ days: sh.days, start: sh.start, end: sh.end }],
        },
      ],
    };
    if (onCallAt(spec, {}, at)) return { inside: true, nextStart: at };
    const next = finalTimeline(spec, {}, at, at + 14 * DAY)[0];
    return { inside: false, nextStart: next?.start };
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
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
