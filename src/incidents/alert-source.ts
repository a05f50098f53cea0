import type { GroupNotificationEvent } from '../alerts/index.js';
import type { OncallService } from '../oncall/index.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import type { Escalator } from './escalation.js';
import type { IncidentsService } from './incident.service.js';
import { incidentStore, type LinkRow, type TimelineInput } from './incident.store.js';
import type { IncidentNotifications } from './incident-notifications.js';
import { severityOf } from './messages.js';

/**
 * Alert groups routed to a receiver with an escalation policy become incidents, in the flush
 * transaction of the group: the first notification of a group opens the incident and pages level 0;
 * later ones attach new alerts and record resolutions; when every linked alert has resolved and the
 * policy says so, the incident resolves. One open incident per (receiver, group) is a unique key.
 */
export class AlertSource {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly oncall: OncallService,
    private readonly incidents: IncidentsService,
    private readonly notifications: IncidentNotifications,
    private readonly escalator: Escalator,
  ) {}

  async onGroupNotification(exec: Executor, e: GroupNotificationEvent): Promise<void> {
    const now = this.clock.now();
    const key = `${e.receiver}|${e.groupKey}`;
    const alerts = e.notification.alerts;
    const firing = alerts.filter((a) => a.status === 'firing');
    let inc = await incidentStore.byOpenKey(exec, key, this.database.engine);
    if (!inc) {
      if (!firing.length || e.repeat) return;
      const spec = await this.oncall.policy(exec, e.policy);
      const common = e.notification.commonLabels;
      const first = firing[0];
      const title =
        e.notification.commonAnnotations.summary ??
        (firing.length === 1
          ? (first?.summary ?? 'alert')
          : `${first?.summary ?? 'alert'} and ${firing.length - 1} more`);
      const urgency =
        common.urgency === 'low' || common.urgency === 'high' ? common.urgency : (spec?.urgency ?? 'high');
      inc = await this.incidents.insert(
        exec,
        {
          title: title.slice(0, 300),
          description: e.notification.commonAnnotations.description ?? '',
          severity: severityOf(firing.map((a) => a.labels)),
          urgency,
          service: common.service,
          labels: common,
          policy: spec ? e.policy : undefined,
          groupKey: e.groupKey,
          receiver: e.receiver,
          openKey: key,
        },
        `alerts:${e.receiver}`,
      );
      if (!spec)
        await incidentStore.record(exec, inc.id, now, [
          {
            type: 'escalation.exhausted',
            actor: `policy:${e.policy}`,
            message: `escalation policy ${e.policy} does not exist; nobody was paged`,
          },
        ]);
      await this.attach(exec, inc.id, e, now);
      await this.notifications.tellChannels(exec, inc, 'incident.triggered');
      await this.escalator.start(exec, inc);
      return;
    }
    await this.attach(exec, inc.id, e, now);
    const counts = (await incidentStore.linkCounts(exec, [inc.id])).get(inc.id);
    if (counts && counts.firing === 0 && counts.total > 0) {
      const spec = inc.policy ? await this.oncall.policy(exec, inc.policy) : undefined;
      if (spec?.autoResolve ?? true)
        await this.incidents.transition(inc.id, 'resolve', 'system', undefined, exec, 'every linked alert resolved');
    }
  }

  private async attach(exec: Executor, incidentId: string, e: GroupNotificationEvent, now: number): Promise<void> {
    const linked = new Map((await incidentStore.links(exec, incidentId)).map((l) => [l.alert_id, l]));
    const fresh: LinkRow[] = [];
    const resolved: string[] = [];
    const log: TimelineInput[] = [];
    for (const a of e.notification.alerts) {
      const l = linked.get(a.id);
      if (!l) {
        fresh.push({
          incident_id: incidentId,
          alert_id: a.id,
          fingerprint: a.fingerprint,
          status: a.status,
          summary: a.summary,
          labels_json: JSON.stringify(a.labels),
          attached_at: now,
          resolved_at: a.status === 'resolved' ? now : null,
        });
        log.push({
          type: 'alert.attached',
          actor: `alerts:${e.receiver}`,
          message: a.summary,
          details: { alert: a.id, status: a.status },
        });
      } else if (l.status === 'firing' && a.status === 'resolved') {
        resolved.push(a.id);
        log.push({
          type: 'alert.resolved',
          actor: `alerts:${e.receiver}`,
          message: a.summary,
          details: { alert: a.id },
        });
      }
    }
    await incidentStore.addLinks(exec, fresh);
    await incidentStore.resolveLinks(exec, incidentId, resolved, now);
    await incidentStore.record(exec, incidentId, now, log);
  }
}
