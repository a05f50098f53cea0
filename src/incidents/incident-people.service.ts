import type { ActionLinks, ContactsService, NotifyService } from '../notify/index.js';
import { usersStore } from '../platform/accounts/users.store.js';
import type { Actor } from '../platform/audit/audit.model.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { InputError, NotFoundError } from '../platform/errors.js';
import type { WorkQueue } from '../platform/queue/index.js';
import type { Incident, TimelineEntry } from './incident.model.js';
import { actorLabel, type IncidentsService } from './incident.service.js';
import { incidentStore, type TimelineInput } from './incident.store.js';
import { timelineView } from './incident.views.js';
import { incidentMessage } from './messages.js';

export interface IncidentPeopleDeps {
  database: Database;
  clock: Clock;
  queue: WorkQueue;
  incidents: IncidentsService;
  contacts: ContactsService;
  notify: NotifyService;
  links: ActionLinks;
  externalUrl: () => string;
}

/**
 * The people around an incident: notes on its timeline, roles (incident commander, scribe, …) and
 * responders added by hand, who are paged right away through their own notification rules.
 */
export class IncidentPeople {
  constructor(private readonly d: IncidentPeopleDeps) {}

  async note(actor: Actor, ref: string, text: string): Promise<TimelineEntry> {
    return this.d.database.transaction(async (trx) => {
      const inc = await this.d.incidents.row(trx, ref);
      await incidentStore.record(trx, inc.id, this.d.clock.now(), [
        { type: 'note', actor: actorLabel(actor), message: text },
      ]);
      const rows = await incidentStore
        .timelineQuery(trx, inc.id)
        .selectAll()
        .where('type', '=', 'note')
        .orderBy('id', 'desc')
        .limit(1)
        .execute();
      return timelineView(rows[0] as never);
    });
  }

  private async requireUser(exec: Executor, email: string, path: string) {
    const u = await usersStore.byEmail(exec, email);
    if (!u) throw new InputError(`${path}: no user ${email}`, { fields: [{ path, message: 'no such user' }] });
    return u;
  }

  async assignRole(actor: Actor, ref: string, role: string, email: string): Promise<Incident> {
    await this.d.database.transaction(async (trx) => {
      const inc = await this.d.incidents.row(trx, ref);
      await this.requireUser(trx, email, 'user');
      const now = this.d.clock.now();
      await incidentStore.setRole(trx, inc.id, role, email, now);
      await incidentStore.record(trx, inc.id, now, [
        {
          type: 'role.assigned',
          actor: actorLabel(actor),
          message: `${role}: ${email}`,
          details: { role, user: email },
        },
      ]);
    });
    return this.d.incidents.get(ref);
  }

  async removeRole(actor: Actor, ref: string, role: string): Promise<Incident> {
    await this.d.database.transaction(async (trx) => {
      const inc = await this.d.incidents.row(trx, ref);
      if (!(await incidentStore.removeRole(trx, inc.id, role))) throw new NotFoundError(`nobody holds ${role}`);
      await incidentStore.record(trx, inc.id, this.d.clock.now(), [
        { type: 'role.removed', actor: actorLabel(actor), message: `${role} unassigned`, details: { role } },
      ]);
    });
    return this.d.incidents.get(ref);
  }

  /** Adds a responder and pages them right away through their own notification rules. */
  async addResponder(actor: Actor, ref: string, email: string, message?: string): Promise<Incident> {
    await this.d.database.transaction(async (trx) => {
      const inc = await this.d.incidents.row(trx, ref);
      const user = await this.requireUser(trx, email, 'user');
      const now = this.d.clock.now();
      if (!(await incidentStore.addResponder(trx, inc.id, email, now))) return;
      const log: TimelineInput[] = [
        {
          type: 'responder.added',
          actor: actorLabel(actor),
          message: `${email} asked to respond${message ? `: ${message}` : ''}`,
          details: { user: email },
        },
      ];
      if (inc.status !== 'resolved') {
        const counts = (await incidentStore.linkCounts(trx, [inc.id])).get(inc.id) ?? { total: 0, firing: 0 };
        const plan = await this.d.contacts.planFor(trx, user.id, inc.urgency as 'high' | 'low');
        const ctx = { links: this.d.links, externalUrl: this.d.externalUrl, now };
        await this.d.notify.schedule(
          trx,
          plan.map((p) => {
            const id = `inc-${inc.id}-responder-${user.id}-${p.contactMethodId}-${p.delayMs}`;
            return {
              id,
              incidentId: inc.id,
              userId: user.id,
              contactMethodId: p.contactMethodId,
              channel: p.channel,
              address: p.address ?? undefined,
              urgency: inc.urgency as 'high' | 'low',
              page: true,
              runAt: now + p.delayMs,
              message: incidentMessage(ctx, inc, 'incident.triggered', {
                id,
                alerts: counts,
                recipient: { user: email, name: user.name },
              }),
            };
          }),
        );
        if (!plan.length)
          log.push({
            type: 'notification.failed',
            actor: actorLabel(actor),
            message: `${email} has no contact methods; nobody could reach them`,
            details: { user: email, via: 'responder' },
          });
        for (const p of plan)
          log.push({
            type: 'notification.scheduled',
            actor: actorLabel(actor),
            message: `${email} via ${p.channel}`,
            details: { channel: p.channel },
          });
      }
      await incidentStore.record(trx, inc.id, now, log);
    });
    return this.d.incidents.get(ref);
  }
}
