import type { ActionLinks, DeliveryEvent, NotifyService } from '../notify/index.js';
import type { OncallService } from '../oncall/index.js';
import type { Clock } from '../platform/clock.js';
import type { Executor } from '../platform/db/database.js';
import { type IncidentRow, incidentStore } from './incident.store.js';
import { incidentMessage } from './messages.js';

export interface IncidentNotificationsDeps {
  clock: Clock;
  oncall: OncallService;
  notify: NotifyService;
  links: ActionLinks;
  externalUrl: () => string;
}

/**
 * An incident's traffic with notify outside paging (the escalator owns pages): posts to the
 * escalation policy's channels (team Slack, …) on trigger, acknowledge and resolve, and delivery
 * outcomes from notify turned into timeline entries.
 */
export class IncidentNotifications {
  constructor(private readonly d: IncidentNotificationsDeps) {}

  /** Tells the policy's channels (team Slack, …) about an incident event; never pages. */
  async tellChannels(
    exec: Executor,
    inc: IncidentRow,
    event: 'incident.triggered' | 'incident.acknowledged' | 'incident.resolved',
  ) {
    if (!inc.policy) return;
    const spec = await this.d.oncall.policy(exec, inc.policy);
    if (!spec?.channels.length) return;
    const now = this.d.clock.now();
    const counts = (await incidentStore.linkCounts(exec, [inc.id])).get(inc.id) ?? { total: 0, firing: 0 };
    const seq = `${event}-${inc.escalation_run}-${inc.ack_seq}-${inc.resolved_at ?? 0}`;
    await this.d.notify.schedule(
      exec,
      spec.channels.map((channel) => {
        const id = `inc-${inc.id}-${seq}-ch-${channel}`;
        return {
          id,
          incidentId: inc.id,
          channel,
          urgency: inc.urgency as 'high' | 'low',
          page: false,
          runAt: now,
          message: incidentMessage({ links: this.d.links, externalUrl: this.d.externalUrl, now }, inc, event, {
            id,
            alerts: counts,
          }),
        };
      }),
    );
  }

  /** Delivery outcomes from notify become timeline entries, in notify's transaction. */
  async onDelivery(exec: Executor, e: DeliveryEvent): Promise<void> {
    const d = e.delivery;
    if (!d.incidentId) return;
    const who = `${d.channel}${d.address ? ` (${d.address})` : ''}`;
    const r = e.result;
    const answer = r ? `${r.statusCode ?? ''}${r.error ? ` ${r.error}` : ''}`.trim() : '';
    await incidentStore.record(exec, d.incidentId, this.d.clock.now(), [
      {
        type: e.ok ? 'notification.delivered' : 'notification.failed',
        actor: 'notify',
        message: e.ok
          ? `delivered to ${who} in ${r?.latencyMs ?? 0} ms`
          : `${who}: ${answer || 'failed'}${e.final ? '' : ' (will retry)'}`,
        details: {
          delivery: d.id,
          channel: d.channel,
          channelType: d.channelType,
          attempt: e.attempt,
          statusCode: r?.statusCode ?? null,
          latencyMs: r?.latencyMs ?? null,
          error: r?.error ?? null,
          final: e.final,
          user: d.userId,
        },
      },
    ]);
  }
}
