/**
 * The one message every channel renders. The notify service builds it once per delivery; each channel
 * turns it into its own wire format. `id` is the idempotency key, stable across retries.
 */

export const CHANNEL_EVENTS = [
  'incident.triggered',
  'incident.acknowledged',
  'incident.resolved',
  'incident.escalated',
  'incident.reminder',
  'test',
] as const;
export type ChannelEvent = (typeof CHANNEL_EVENTS)[number];

export interface IncidentSummary {
  id: string;
  number: number;
  title: string;
  severity: string;
  urgency: 'high' | 'low';
  status: 'triggered' | 'acknowledged' | 'resolved';
  service?: string;
  url: string;
  labels: Record<string, string>;
  /** Alerts grouped into the incident. */
  alerts: number;
}

export interface ChannelMessage {
  /** Idempotency key, stable across retries of this delivery. */
  id: string;
  event: ChannelEvent;
  /** ISO 8601. */
  at: string;
  /** E.g. "[SEV2] #42 Database down". */
  title: string;
  /** Plain-text body, a few lines. */
  text: string;
  incident?: IncidentSummary;
  /** acknowledge/resolve are signed single-purpose URLs. */
  links: { view?: string; acknowledge?: string; resolve?: string };
  /** The person being paged, when it is a page. */
  recipient?: { user: string; name: string };
}

export interface SendContext {
  /** The value of a stored Secret; rejects (NotFoundError) when there is none. */
  reveal(secretName: string): Promise<string>;
  userAgent: string;
  /** MAINSTAY_SMTP_URL, for email channels without a smarthost. */
  smtpUrl?: string;
  /** Default sender of email. */
  smtpFrom: string;
  /** Aborts the attempt (shutdown); reported as retryable. */
  signal?: AbortSignal;
  /** Milliseconds since the Unix epoch (the webhook signature's timestamp). */
  now(): number;
}

export interface ActionLink {
  kind: 'acknowledge' | 'resolve' | 'view';
  label: 'Acknowledge' | 'Resolve' | 'Open';
  url: string;
}

/** Only http(s) URLs become buttons or links: anything else would be a `javascript:` waiting to happen. */
export function isHttpUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}

/**
 * The buttons a message offers, in order: Acknowledge (only while triggered), Resolve (until
 * resolved), Open. An incident that moved on has nothing left to acknowledge; a message without an
 * incident (a test) offers whichever links it carries.
 */
export function actionLinks(msg: ChannelMessage): ActionLink[] {
  const status = msg.incident?.status;
  const out: ActionLink[] = [];
  if (isHttpUrl(msg.links.acknowledge) && (status === undefined || status === 'triggered')) {
    out.push({ kind: 'acknowledge', label: 'Acknowledge', url: msg.links.acknowledge });
  }
  if (isHttpUrl(msg.links.resolve) && status !== 'resolved') {
    out.push({ kind: 'resolve', label: 'Resolve', url: msg.links.resolve });
  }
  const view = msg.links.view ?? msg.incident?.url;
  if (isHttpUrl(view)) out.push({ kind: 'view', label: 'Open', url: view });
  return out;
}

/** Severity, status, service and urgency as label/value pairs, for cards and tables; empty without an incident. */
export function incidentFacts(msg: ChannelMessage): { title: string; value: string }[] {
  const i = msg.incident;
  if (!i) return [];
  const facts = [
    { title: 'Severity', value: i.severity },
    { title: 'Status', value: i.status },
  ];
  if (i.service) facts.push({ title: 'Service', value: i.service });
  facts.push({ title: 'Urgency', value: i.urgency });
  return facts;
}
