import type { Incident, IncidentStatus, Severity, TimelineEntry } from '../../incidents/incident.model.js';
import { UsageError } from '../errors.js';
import { ago, type Column, formatTable, shortTime } from '../output.js';
import { fields } from './alert-output.js';
import { formatDuration } from './time-output.js';

/** What the incidents API answers (see incident.routes.ts); the CLI reads only these fields. */
export type { Incident, TimelineEntry };

// Restated, not imported: the CLI takes only types from the server's models, so it does not load zod.
export const STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'] as const;
export const URGENCIES = ['high', 'low'] as const;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when the model gains or loses a status, severity or urgency.
const sameStatuses: Exact<(typeof STATUSES)[number], IncidentStatus> = true;
const sameSeverities: Exact<(typeof SEVERITIES)[number], Severity> = true;
const sameUrgencies: Exact<(typeof URGENCIES)[number], Incident['urgency']> = true;
void sameStatuses;
void sameSeverities;
void sameUrgencies;

const OPEN = ['triggered', 'acknowledged'] as const;

function csv(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `--status`: `open` (triggered and acknowledged), `all`, or a comma-separated list of statuses.
 * Undefined means every status (the API's default).
 */
export function parseStatusFlag(value: string): IncidentStatus[] | undefined {
  const wanted = csv(value.toLowerCase());
  if (wanted.length === 1 && wanted[0] === 'all') return undefined;
  const out = new Set<IncidentStatus>();
  for (const w of wanted) {
    if (w === 'open') for (const s of OPEN) out.add(s);
    else if ((STATUSES as readonly string[]).includes(w)) out.add(w as IncidentStatus);
    else
      throw new UsageError(`--status: ${JSON.stringify(w)} is not a status`, {
        hint: `use open (the default), all, or a comma-separated list of ${STATUSES.join(', ')}`,
      });
  }
  if (out.size === 0) throw new UsageError('--status is empty', { hint: 'e.g. --status triggered,acknowledged' });
  return STATUSES.filter((s) => out.has(s));
}

/** `--severity SEV1,sev2` (or `1,2`) → `['SEV1', 'SEV2']`. */
export function parseSeverityFlag(value: string, flag = '--severity'): Severity[] {
  const out: Severity[] = [];
  for (const w of csv(value)) {
    const s = /^\d$/.test(w) ? `SEV${w}` : w.toUpperCase();
    if (!(SEVERITIES as readonly string[]).includes(s))
      throw new UsageError(`${flag}: ${JSON.stringify(w)} is not a severity`, {
        hint: `use ${SEVERITIES.join(', ')} (SEV1 is the worst)`,
      });
    if (!out.includes(s as Severity)) out.push(s as Severity);
  }
  if (out.length === 0) throw new UsageError(`${flag} is empty`, { hint: 'e.g. SEV1,SEV2' });
  return out;
}

/** An incident reference: `#42`, `42` or an id; what the API takes in `/incidents/:id`. */
export function parseIncidentRef(value: string): string {
  const ref = value.trim().replace(/^#(?=\d+$)/, '');
  if (!ref || ref.length > 64 || /[\s/#?]/.test(ref))
    throw new UsageError(`${JSON.stringify(value)} is not an incident number or id`, {
      hint: 'e.g. 42 or #42 (mainstay incidents ls lists them)',
    });
  return ref;
}

const seconds = (s: number | null) => (s === null ? undefined : formatDuration(s * 1000));

export function incidentColumns(now: number): Column<Incident>[] {
  return [
    { header: '#', value: (i) => `#${i.number}` },
    { header: 'status', value: (i) => i.status },
    { header: 'severity', value: (i) => i.severity },
    { header: 'title', value: (i) => i.title },
    { header: 'service', value: (i) => i.service },
    { header: 'age', value: (i) => formatDuration(now - Date.parse(i.createdAt)) },
    { header: 'tta', value: (i) => seconds(i.ttaSeconds) },
  ];
}

/** `#42 acknowledged (Database down)`: the one line `ack`, `resolve` and `reopen` print. */
export function transitionLine(i: Pick<Incident, 'number' | 'title'>, done: string): string {
  return `#${i.number} ${done} (${i.title})`;
}

function when(iso: string | null, now: number, by?: string | null, extra?: string): string | undefined {
  if (!iso) return undefined;
  return [`${shortTime(iso)} (${ago(iso, now)})`, by ? `by ${by}` : '', extra ?? ''].filter(Boolean).join(' ');
}

const list = (items: readonly string[]) => (items.length ? items.join(', ') : undefined);

/** `incidents show` as text: the incident's fields, then its latest timeline entries. */
export function incidentLines(i: Incident, timeline: readonly TimelineEntry[], total: number, now: number): string[] {
  const esc = i.escalation;
  const lines = fields([
    ['incident', `#${i.number} ${i.title}`],
    ['status', i.status],
    ['severity', `${i.severity}, ${i.urgency} urgency`],
    ['service', i.service ?? undefined],
    ['team', i.team ?? undefined],
    [
      'policy',
      i.policy
        ? `${i.policy}${esc ? ` (level ${esc.level + 1}${esc.nextAt ? `, next step ${shortTime(esc.nextAt)}` : ''})` : ''}`
        : undefined,
    ],
    ['created', when(i.createdAt, now, i.createdBy)],
    [
      'acknowledged',
      when(i.acknowledgedAt, now, i.acknowledgedBy, i.ttaSeconds === null ? '' : `(TTA ${seconds(i.ttaSeconds)})`),
    ],
    ['resolved', when(i.resolvedAt, now, i.resolvedBy, i.ttrSeconds === null ? '' : `(TTR ${seconds(i.ttrSeconds)})`)],
    ['alerts', i.alerts.total ? `${i.alerts.total} (${i.alerts.firing} firing)` : undefined],
    ['roles', list(i.roles.map((r) => `${r.role}: ${r.user}`))],
    ['responders', list(i.responders.map((r) => r.user))],
    ['labels', list(Object.entries(i.labels).map(([k, v]) => `${k}=${v}`))],
    ['id', i.id],
  ]);
  if (i.description.trim())
    lines.push(
      '',
      'description:',
      ...i.description
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  const shown = total > timeline.length ? `latest ${timeline.length} of ${total}` : String(total);
  lines.push('', `timeline (${shown}):`);
  if (timeline.length === 0) lines.push('  none');
  else {
    const table = formatTable(timeline, [
      { header: 'time', value: (e) => shortTime(e.at) },
      { header: 'event', value: (e) => e.type },
      { header: 'by', value: (e) => e.actor },
      { header: 'message', value: (e) => e.message },
    ]);
    lines.push(
      ...table
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines;
}
