import type { ActionLinks, ChannelMessage } from '../notify/index.js';
import type { IncidentRow } from './incident.store.js';

/** Signed links in notifications stay valid this long (a page read the next morning still works). */
export const LINK_TTL_MS = 24 * 3_600_000;

export interface MessageContext {
  links: ActionLinks;
  externalUrl: () => string;
  now: number;
}

export function incidentUrl(base: string, inc: Pick<IncidentRow, 'number'>): string {
  return `${base}/incidents/${inc.number}`;
}

export function actionUrl(ctx: MessageContext, incidentId: string, action: 'acknowledge' | 'resolve'): string {
  const token = ctx.links.sign({ incidentId, action, expiresAt: ctx.now + LINK_TTL_MS });
  return `${ctx.externalUrl()}/a/${token}`;
}

/** A stored actor (`user:a@b`, `token:a@b`, `link:acknowledge`, `system`…) as a message's reader says it. */
function actorName(actor: string | null | undefined): string {
  if (!actor) return 'someone';
  const i = actor.indexOf(':');
  const kind = i < 0 ? actor : actor.slice(0, i);
  const who = actor.slice(i + 1);
  if (kind === 'user' || kind === 'token') return who;
  if (kind === 'link') return 'a signed link';
  if (kind === 'policy') return `policy ${who}`;
  if (kind === 'system') return 'Mainstay';
  return actor;
}

/** The message every channel renders for an incident event. */
export function incidentMessage(
  ctx: MessageContext,
  inc: IncidentRow,
  event: ChannelMessage['event'],
  opts: {
    id: string;
    alerts: { total: number; firing: number };
    summaries?: string[];
    recipient?: { user: string; name: string };
  },
): ChannelMessage {
  const base = ctx.externalUrl();
  const open = inc.status !== 'resolved';
  const verb =
    event === 'incident.acknowledged'
      ? `Acknowledged by ${actorName(inc.acknowledged_by)}`
      : event === 'incident.resolved'
        ? `Resolved by ${actorName(inc.resolved_by)}`
        : event === 'incident.escalated'
          ? 'Escalated: nobody acknowledged yet'
          : 'Triggered';
  const lines = [
    `${verb}. ${inc.urgency === 'high' ? 'High' : 'Low'} urgency${inc.service ? `, service ${inc.service}` : ''}.`,
    ...(opts.summaries ?? []).slice(0, 5).map((s) => `• ${s}`),
    ...(opts.alerts.total ? [`${opts.alerts.firing} of ${opts.alerts.total} alert(s) firing.`] : []),
  ];
  return {
    id: opts.id,
    event,
    at: new Date(ctx.now).toISOString(),
    title: `[${inc.severity}] #${inc.number} ${inc.title}`,
    text: lines.join('\n'),
    incident: {
      id: inc.id,
      number: Number(inc.number),
      title: inc.title,
      severity: inc.severity,
      urgency: inc.urgency as 'high' | 'low',
      status: inc.status as 'triggered' | 'acknowledged' | 'resolved',
      ...(inc.service ? { service: inc.service } : {}),
      url: incidentUrl(base, inc),
      labels: JSON.parse(inc.labels_json),
      alerts: opts.alerts.total,
    },
    links: {
      view: incidentUrl(base, inc),
      ...(open && inc.status !== 'acknowledged' ? { acknowledge: actionUrl(ctx, inc.id, 'acknowledge') } : {}),
      ...(open ? { resolve: actionUrl(ctx, inc.id, 'resolve') } : {}),
    },
    ...(opts.recipient ? { recipient: opts.recipient } : {}),
  };
}

/** Alert `severity` label → incident severity; the highest of the group wins. */
export function severityOf(labels: Record<string, string>[]): 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' | 'SEV5' {
  const rank = (v: string | undefined): number => {
    const s = (v ?? '').toLowerCase();
    const m = /^sev([1-5])$/.exec(s);
    if (m) return Number(m[1]);
    if (s === 'critical' || s === 'page' || s === 'p1') return 1;
    if (s === 'error' || s === 'high' || s === 'major' || s === 'p2') return 2;
    if (s === 'warning' || s === 'medium' || s === 'minor' || s === 'p3') return 3;
    if (s === 'info' || s === 'low' || s === 'p4') return 4;
    return 3;
  };
  const best = Math.min(...labels.map((l) => rank(l.severity ?? l.sev)), 5);
  return `SEV${best}` as 'SEV1';
}
