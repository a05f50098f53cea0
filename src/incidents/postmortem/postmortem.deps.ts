import type { Actor } from '../../platform/audit/audit.model.js';
import type { AuditStore } from '../../platform/audit/audit.store.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { NotFoundError } from '../../platform/errors.js';
import type { Incident, TimelineEntry } from '../incident.model.js';

/** What the postmortem needs from the incident service. */
export interface IncidentReader {
  /** Accepts the incident id or its number as a string. */
  get(exec: Executor, id: string): Promise<Incident | undefined>;
  /** Oldest first. */
  timeline(exec: Executor, id: string): Promise<TimelineEntry[]>;
  /** Appends to the incident's timeline (type 'postmortem.updated'). */
  record(
    exec: Executor,
    incidentId: string,
    entry: { type: 'postmortem.updated'; actor: string; message: string; details?: Record<string, unknown> },
  ): Promise<void>;
}

export interface PostmortemDeps {
  database: Database;
  clock: Clock;
  audit: Pick<AuditStore, 'record'>;
  incidents: IncidentReader;
}

/** `user:<email>` for people, as the incident timeline records actors. */
export function timelineActor(actor: Actor): string {
  return actor.type === 'user' ? `user:${actor.name}` : 'system';
}

export async function incidentOrThrow(incidents: IncidentReader, exec: Executor, ref: string): Promise<Incident> {
  const incident = await incidents.get(exec, ref);
  if (!incident) throw new NotFoundError(`no incident ${ref}`, { hint: 'give the incident id or its number' });
  return incident;
}
