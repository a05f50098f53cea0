import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Executor } from '../db/database.js';
import { containsText } from '../db/text-match.js';
import { type Page, type PageQuery, paginate } from '../http/pagination.js';
import { newId } from '../ids.js';
import type { Actor, AuditEntry, AuditRecord } from './audit.model.js';

export interface AuditTables {
  audit_log: {
    id: string;
    at: number;
    actor_type: string;
    actor_id: string | null;
    actor_name: string;
    actor_via: string;
    action: string;
    resource_type: string;
    resource_id: string | null;
    resource_name: string | null;
    before_json: string | null;
    after_json: string | null;
    request_id: string | null;
  };
}

export interface AuditFilter {
  action?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  actorId?: string | undefined;
  q?: string | undefined;
}

const SORTS = { at: 'at', action: 'action', resourceType: 'resource_type', actor: 'actor_name' } as const;

/** The append-only audit log. Writes go through the caller's transaction so a change and its entry commit together. */
export class AuditStore {
  constructor(private readonly clock: Clock) {}

  async record(exec: Executor, actor: Actor, rec: AuditRecord): Promise<void> {
    const db = exec as Kysely<AuditTables>;
    const at = this.clock.now();
    await db
      .insertInto('audit_log')
      .values({
        id: newId(at),
        at,
        actor_type: actor.type,
        actor_id: actor.id,
        actor_name: actor.name,
        actor_via: actor.via,
        action: rec.action,
        resource_type: rec.resourceType,
        resource_id: rec.resourceId,
        resource_name: rec.resourceName ?? null,
        before_json: rec.before === undefined || rec.before === null ? null : JSON.stringify(rec.before),
        after_json: rec.after === undefined || rec.after === null ? null : JSON.stringify(rec.after),
        request_id: actor.requestId,
      })
      .execute();
  }

  async list(exec: Executor, filter: AuditFilter, page: PageQuery): Promise<Page<AuditEntry>> {
    const db = exec as Kysely<AuditTables>;
    let q = db.selectFrom('audit_log');
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.resourceType) q = q.where('resource_type', '=', filter.resourceType);
    if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
    if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
    if (filter.q) {
      const text = filter.q;
      q = q.where((eb) =>
        eb.or([
          containsText('action', text, { caseInsensitive: true }),
          containsText('resource_name', text, { caseInsensitive: true }),
          containsText('actor_name', text, { caseInsensitive: true }),
          eb('request_id', '=', filter.q ?? ''),
        ]),
      );
    }
    return paginate(q, page, SORTS, '-at', (row) => ({
      id: row.id,
      at: new Date(row.at).toISOString(),
      actor: {
        type: row.actor_type as Actor['type'],
        id: row.actor_id,
        name: row.actor_name,
        via: row.actor_via as Actor['via'],
      },
      action: row.action,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      resourceName: row.resource_name,
      before: row.before_json ? JSON.parse(row.before_json) : null,
      after: row.after_json ? JSON.parse(row.after_json) : null,
      requestId: row.request_id,
    }));
  }
}
