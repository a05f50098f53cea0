import { teamsStore } from '../platform/accounts/teams.store.js';
import { usersStore } from '../platform/accounts/users.store.js';
import type { Database, Executor } from '../platform/db/database.js';
import type { EscalationPolicySpec, EscalationTarget, SupportHours } from './escalation.model.js';
import type { OncallService } from './oncall.service.js';
import { roundRobinStore } from './oncall.store.js';
import { finalTimeline, onCallAt, type ScheduleSpec } from './schedule/index.js';
import { DAY } from './schedule/wall-clock.js';

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
 * The people and channels an escalation level pages: users, schedules (whoever the final timeline
 * says holds the instant), teams (all members, or the next one in round-robin). The pager and the
 * policy preview ask the same functions, so the preview shows who gets woken.
 */
export class OncallPaging {
  constructor(
    private readonly database: Database,
    private readonly oncall: OncallService,
  ) {}

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
      const spec = await this.oncall.findSchedule(exec, t.schedule);
      if (!spec) {
        out.unreached.push(`schedule:${t.schedule} does not exist`);
        return;
      }
      // Only who holds `at` matters here, not the extent of their shift: a one-millisecond timeline
      // answers that without searching for the shift's ends (long for a one-person rotation).
      const shift = finalTimeline(spec, await this.oncall.extras(exec, t.schedule, at, at + 1), at, at + 1)[0];
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
