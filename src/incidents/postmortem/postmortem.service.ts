import type { Actor } from '../../platform/audit/audit.model.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import type { Page, PageQuery } from '../../platform/http/pagination.js';
import { parseOrThrow } from '../../platform/http/validation.js';
import type { Incident } from '../incident.model.js';
import { ActionItems } from './action-item.service.js';
import { incidentOrThrow, type PostmortemDeps, timelineActor } from './postmortem.deps.js';
import { utcDay } from './postmortem.format.js';
import { renderPostmortemMarkdown } from './postmortem.markdown.js';
import {
  type ActionItem,
  type ActionItemFilter,
  type CreateActionItem,
  DOCUMENT_SECTIONS,
  PatchPostmortemSchema,
  type Postmortem,
  type PostmortemDocument,
  type PostmortemStatus,
  type PostmortemUpdate,
  ReplacePostmortemSchema,
  type UpdateActionItem,
} from './postmortem.model.js';
import { actionItemStore, postmortemStore, toActionItem, toPostmortem } from './postmortem.store.js';
import { postmortemTemplate } from './postmortem.template.js';

/** Allowed status moves: review before publishing; a published postmortem can be reopened as a draft. */
const TRANSITIONS: Readonly<Record<PostmortemStatus, readonly PostmortemStatus[]>> = {
  draft: ['in_review'],
  in_review: ['draft', 'published'],
  published: ['draft'],
};

const incidentName = (i: Incident) => `#${i.number} ${i.title}`.slice(0, 200);

/** Postmortems (one per incident, from a template) and the incident's action items. */
export class PostmortemService {
  private readonly items: ActionItems;

  constructor(private readonly deps: PostmortemDeps) {
    this.items = new ActionItems(deps);
  }

  /** The postmortem of an incident (by id or number). */
  async get(incidentRef: string): Promise<Postmortem> {
    const exec = this.deps.database.db;
    const incident = await incidentOrThrow(this.deps.incidents, exec, incidentRef);
    const row = await postmortemStore.get(exec, incident.id);
    if (!row) throw this.missing(incident);
    return toPostmortem(row);
  }

  /** Creates the postmortem from the template, pre-filled from the incident and its timeline. */
  async create(actor: Actor, incidentRef: string): Promise<Postmortem> {
    try {
      return await this.deps.database.transaction(async (trx) => {
        const incident = await incidentOrThrow(this.deps.incidents, trx, incidentRef);
        if (await postmortemStore.get(trx, incident.id)) throw this.exists(incident);
        const timeline = await this.deps.incidents.timeline(trx, incident.id);
        const now = this.deps.clock.now();
        const row = {
          incident_id: incident.id,
          status: 'draft',
          version: 1,
          doc_json: JSON.stringify(postmortemTemplate(incident, timeline)),
          created_at: now,
          created_by: actor.name,
          updated_at: now,
          updated_by: actor.name,
          published_at: null,
        };
        await postmortemStore.insert(trx, row);
        const pm = toPostmortem(row);
        await this.deps.incidents.record(trx, incident.id, {
          type: 'postmortem.updated',
          actor: timelineActor(actor),
          message: 'Postmortem started from the template',
          details: { version: 1, status: 'draft' },
        });
        await this.deps.audit.record(trx, actor, {
          action: 'incidents.postmortem.create',
          resourceType: 'Postmortem',
          resourceId: incident.id,
          resourceName: incidentName(incident),
          after: { status: pm.status, version: pm.version },
        });
        return pm;
      });
    } catch (err) {
      // Two creates racing: the loser's insert hits the primary key.
      if (isUniqueViolation(err)) throw new ConflictError(`incident ${incidentRef} already has a postmortem`);
      throw err;
    }
  }

  /**
   * Changes the document and/or the status. `replace` swaps the whole document (PUT), `patch`
   * only the sections given (PATCH). The caller's version (or updatedAt) must still be current.
   */
  async update(
    actor: Actor,
    incidentRef: string,
    input: PostmortemUpdate,
    mode: 'replace' | 'patch',
  ): Promise<Postmortem> {
    const update = parseOrThrow<PostmortemUpdate>(
      mode === 'replace' ? ReplacePostmortemSchema : PatchPostmortemSchema,
      input,
      'body',
    );
    return this.deps.database.transaction(async (trx) => {
      const incident = await incidentOrThrow(this.deps.incidents, trx, incidentRef);
      const row = await postmortemStore.get(trx, incident.id);
      if (!row) throw this.missing(incident);
      const current = toPostmortem(row);
      const stale =
        (update.version !== undefined && update.version !== current.version) ||
        (update.updatedAt !== undefined && Date.parse(update.updatedAt) !== Number(row.updated_at));
      if (stale) throw this.stale(incident, current);

      const document: PostmortemDocument =
        mode === 'replace'
          ? (update.document as PostmortemDocument)
          : {
              ...current.document,
              ...Object.fromEntries(Object.entries(update.document ?? {}).filter(([, v]) => v !== undefined)),
            };
      const changed = DOCUMENT_SECTIONS.filter(
        (k) => JSON.stringify(document[k]) !== JSON.stringify(current.document[k]),
      );
      const status = update.status ?? current.status;
      if (status !== current.status && !TRANSITIONS[current.status].includes(status)) {
        throw new ConflictError(`a ${current.status} postmortem cannot become ${status}`, {
          code: 'invalid_transition',
          fields: [{ path: 'status', message: `from ${current.status}: ${TRANSITIONS[current.status].join(' or ')}` }],
          hint: 'drafts go to in_review, then to published; a published postmortem goes back to draft',
        });
      }
      if (changed.length && current.status === 'published' && status !== 'draft') {
        throw new ConflictError('a published postmortem is read-only', {
          code: 'postmortem_published',
          hint: 'move it back to draft (status: "draft", in the same request or first) to edit it',
        });
      }
      if (!changed.length && status === current.status) return current;

      const now = this.deps.clock.now();
      const publishedAt = status !== 'published' ? null : current.status === 'published' ? row.published_at : now;
      const ok = await postmortemStore.update(trx, incident.id, current.version, {
        status,
        doc_json: JSON.stringify(document),
        updated_at: now,
        updated_by: actor.name,
        published_at: publishedAt,
      });
      if (!ok) {
        const fresh = await postmortemStore.get(trx, incident.id);
        throw this.stale(incident, fresh ? toPostmortem(fresh) : current);
      }
      const version = current.version + 1;
      await this.deps.incidents.record(trx, incident.id, {
        type: 'postmortem.updated',
        actor: timelineActor(actor),
        message: describeChange(current.status, status, changed),
        details: { version, status, ...(status !== current.status ? { from: current.status } : {}), sections: changed },
      });
      const pick = (d: PostmortemDocument) => Object.fromEntries(changed.map((k) => [k, d[k]]));
      await this.deps.audit.record(trx, actor, {
        action: status === current.status ? 'incidents.postmortem.update' : `incidents.postmortem.${status}`,
        resourceType: 'Postmortem',
        resourceId: incident.id,
        resourceName: incidentName(incident),
        before: { status: current.status, version: current.version, document: pick(current.document) },
        after: { status, version, document: pick(document) },
      });
      const saved = await postmortemStore.get(trx, incident.id);
      return toPostmortem(saved ?? row);
    });
  }

  /** The postmortem, its incident and its action items as one Markdown document. */
  async markdown(incidentRef: string): Promise<string> {
    const exec = this.deps.database.db;
    const incident = await incidentOrThrow(this.deps.incidents, exec, incidentRef);
    const row = await postmortemStore.get(exec, incident.id);
    if (!row) throw this.missing(incident);
    const today = utcDay(this.deps.clock.now());
    const items = (await actionItemStore.ofIncident(exec, incident.id)).map((r) => toActionItem(r, today));
    return renderPostmortemMarkdown({ incident, postmortem: toPostmortem(row), actionItems: items });
  }

  // --- action items --------------------------------------------------------------------------

  /** Action items across incidents, filtered and paged; `incident` may be an id or a number. */
  listActionItems(
    filter: ActionItemFilter & { incident?: string | undefined },
    page: PageQuery,
  ): Promise<Page<ActionItem>> {
    return this.items.list(filter, page);
  }

  /** One incident's action items, paged (404 when the incident does not exist). */
  incidentActionItems(incidentRef: string, filter: ActionItemFilter, page: PageQuery): Promise<Page<ActionItem>> {
    return this.items.ofIncident(incidentRef, filter, page);
  }

  getActionItem(id: string): Promise<ActionItem> {
    return this.items.get(id);
  }

  createActionItem(actor: Actor, incidentRef: string, input: CreateActionItem): Promise<ActionItem> {
    return this.items.create(actor, incidentRef, input);
  }

  updateActionItem(actor: Actor, id: string, input: UpdateActionItem): Promise<ActionItem> {
    return this.items.update(actor, id, input);
  }

  deleteActionItem(actor: Actor, id: string): Promise<void> {
    return this.items.delete(actor, id);
  }

  // --- errors ----------------------------------------------------------------------------------

  private missing(incident: Incident): NotFoundError {
    return new NotFoundError(`incident #${incident.number} has no postmortem`, {
      hint: `start one from the template: POST /api/v1/incidents/${incident.number}/postmortem`,
    });
  }

  private exists(incident: Incident): ConflictError {
    return new ConflictError(`incident #${incident.number} already has a postmortem`, {
      code: 'already_exists',
      hint: `edit it with PUT or PATCH /api/v1/incidents/${incident.number}/postmortem`,
    });
  }

  private stale(incident: Incident, now: Postmortem): ConflictError {
    return new ConflictError(`the postmortem of incident #${incident.number} changed since you read it`, {
      code: 'version_conflict',
      fields: [{ path: 'version', message: `the current version is ${now.version}` }],
      hint: `it is now version ${now.version}, updated ${now.updatedAt} by ${now.updatedBy}; reload it, reapply your changes and send version ${now.version}`,
    });
  }
}

function describeChange(from: PostmortemStatus, to: PostmortemStatus, sections: readonly string[]): string {
  const edited = sections.length ? `edited ${sections.join(', ')}` : '';
  if (from === to) return `Postmortem ${edited}`;
  const moved =
    to === 'published'
      ? 'Postmortem published'
      : to === 'in_review'
        ? 'Postmortem sent for review'
        : `Postmortem moved back to draft`;
  return edited ? `${moved}; ${edited}` : moved;
}
