import { Badge, type Tone } from '../../ui';
import type { ActionItemStatus, IncidentStatus, PostmortemStatus, Severity } from './incidents-api';

/** Display helpers shared by the incident pages. */

export const STATUS_TONE: Record<IncidentStatus, Tone> = {
  triggered: 'danger',
  acknowledged: 'warning',
  resolved: 'success',
};

export const ITEM_STATUS_LABEL: Record<ActionItemStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
  wont_do: "Won't do",
};

export const POSTMORTEM_STATUS_LABEL: Record<PostmortemStatus, string> = {
  draft: 'Draft',
  in_review: 'In review',
  published: 'Published',
};

/** "42 s", "7 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A timeline actor (`user:a@b`, `token:ci`, `policy:web`, `link:a@b`, `system`) as a person reads it. */
export function actorText(actor: string): string {
  const i = actor.indexOf(':');
  if (i < 0) return actor;
  const kind = actor.slice(0, i);
  const who = actor.slice(i + 1);
  switch (kind) {
    case 'user':
      return who;
    case 'token':
      return `${who} (API token)`;
    case 'policy':
      return `policy ${who}`;
    case 'link':
      return `${who} (signed link)`;
    default:
      return actor;
  }
}

export function IncidentSeverity({ severity }: { severity: Severity }) {
  return (
    <span className={`sev sev-${severity.toLowerCase()}`} data-testid="incident-severity">
      {severity}
    </span>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return (
    <Badge tone={STATUS_TONE[status]} testId="incident-status">
      {status}
    </Badge>
  );
}
