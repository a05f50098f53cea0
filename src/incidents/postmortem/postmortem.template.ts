import type { Incident, TimelineEntry, TimelineType } from '../incident.model.js';
import { displayActor, formatDuration, formatInstant } from './postmortem.format.js';
import type { PostmortemDocument, PostmortemTimelineEntry } from './postmortem.model.js';

/**
 * Timeline entries worth a place in the postmortem. Delivery chatter (scheduled, sent, delivered,
 * cancelled notifications), "waiting" ticks and the postmortem's own edits are left out; a failed
 * notification stays, because a page that reached nobody is usually part of the story.
 */
const KEPT_TYPES: ReadonlySet<TimelineType> = new Set<TimelineType>([
  'created',
  'alert.attached',
  'alert.resolved',
  'status.changed',
  'acknowledged',
  'resolved',
  'reopened',
  'escalation.step',
  'escalation.repeat',
  'escalation.exhausted',
  'ack.timeout',
  'notification.failed',
  'note',
  'role.assigned',
  'role.removed',
  'responder.added',
  'field.changed',
]);

export function keepInPostmortem(type: TimelineType): boolean {
  return KEPT_TYPES.has(type);
}

/** The incident's timeline, oldest first, as the postmortem's editable timeline. */
export function timelineForPostmortem(entries: readonly TimelineEntry[]): PostmortemTimelineEntry[] {
  return entries
    .filter((e) => keepInPostmortem(e.type))
    .map((e) => ({ at: e.at, actor: displayActor(e.actor), message: e.message }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

function durationPhrase(incident: Incident): string {
  if (incident.resolvedAt === null) return 'is not resolved yet';
  return `lasted ${formatDuration(incident.ttrSeconds)}`;
}

/** A new postmortem document, pre-filled from the incident and its timeline. */
export function postmortemTemplate(incident: Incident, timeline: readonly TimelineEntry[]): PostmortemDocument {
  const where = incident.service ? ` on ${incident.service}` : '';
  const tta =
    incident.ttaSeconds === null ? 'not acknowledged' : `acknowledged after ${formatDuration(incident.ttaSeconds)}`;
  const ttr =
    incident.ttrSeconds === null ? 'not resolved yet' : `resolved after ${formatDuration(incident.ttrSeconds)}`;
  const summary = [
    `${incident.severity} incident #${incident.number} "${incident.title}"${where} ${durationPhrase(incident)} (${tta}, ${ttr}).`,
    '',
    '_Describe in two or three sentences what happened, why, and how it was fixed._',
  ].join('\n');
  const impact = [
    `- Severity: ${incident.severity}`,
    `- Service: ${incident.service ?? 'not set'}`,
    `- From ${formatInstant(incident.createdAt)} to ${incident.resolvedAt ? formatInstant(incident.resolvedAt) : 'now (still open)'}`,
    `- Alerts attached: ${incident.alerts.total}`,
    '',
    '_Who and what was affected, for how long and how badly: users, requests, data, money, error budget._',
  ].join('\n');
  return {
    summary,
    impact,
    timeline: timelineForPostmortem(timeline),
    rootCause: '',
    contributingFactors: [],
    fiveWhys: [
      { why: `Why did "${incident.title}" happen?`, because: '' },
      { why: '', because: '' },
      { why: '', because: '' },
      { why: '', because: '' },
      { why: '', because: '' },
    ],
    wentWell: [],
    wentBadly: [],
    lessons: '',
    sections: [],
  };
}
