import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { auditMigrations } from '../../../platform/audit/audit.migrations.js';
import { AuditStore } from '../../../platform/audit/audit.store.js';
import { FakeClock } from '../../../platform/clock.js';
import { migrate } from '../../../platform/db/migrations.js';
import { ConflictError, InputError, NotFoundError } from '../../../platform/errors.js';
import { postmortemMigrations } from '../postmortem.migrations.js';
import type { PostmortemDocument, PostmortemUpdate } from '../postmortem.model.js';
import { PostmortemService } from '../postmortem.service.js';
import { ALICE, BOB, DAY, FakeIncidents, MIN, makeIncident, T0 } from './fixtures.js';

describe.each(engines())('postmortems on %s', (engine) => {
  let tdb: TestDatabase;
  let clock: FakeClock;
  let incidents: FakeIncidents;
  let audit: AuditStore;
  let svc: PostmortemService;

  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await migrate(tdb.database, [
      { module: 'audit', migrations: auditMigrations },
      { module: 'incidents', migrations: postmortemMigrations },
    ]);
    clock = new FakeClock(T0 + DAY);
    incidents = new FakeIncidents([makeIncident(), makeIncident({ id: 'inc-2', number: 43, title: 'Disk full' })]);
    audit = new AuditStore(clock);
    svc = new PostmortemService({ database: tdb.database, clock, audit, incidents });
  });
  afterEach(() => tdb.close());

  const auditActions = async () =>
    (await audit.list(tdb.database.db, { resourceType: 'Postmortem' }, { limit: 50, offset: 0, sort: 'at' })).items;
  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as Error & { code?: string; hint?: string; fields?: Array<{ path: string }> };
    }
    throw new Error('expected a rejection');
  };
  const patch = (u: PostmortemUpdate) => svc.update(ALICE, '42', u, 'patch');

  describe('creating from the template', () => {
    it('creates a draft at version 1 with the incident timeline and hints, by id or number', async () => {
      const pm = await svc.create(ALICE, '42');
      expect(pm).toMatchObject({
        incidentId: 'inc-1',
        status: 'draft',
        version: 1,
        updatedBy: 'alice@example.com',
        publishedAt: null,
        createdAt: new Date(T0 + DAY).toISOString(),
      });
      expect(pm.document.timeline.map((e) => e.message)).toContain('Rolled back deploy 1234 | errors dropping');
      expect(pm.document.timeline.some((e) => e.message.startsWith('SMS'))).toBe(false);
      expect(pm.document.summary).toContain('#42 "Checkout API returns 502"');
      expect(await svc.get('inc-1')).toEqual(pm);
    });

    it('records a timeline entry on the incident and an audit entry', async () => {
      await svc.create(ALICE, '42');
      expect(incidents.recorded).toEqual([
        {
          incidentId: 'inc-1',
          type: 'postmortem.updated',
          actor: 'user:alice@example.com',
          message: 'Postmortem started from the template',
          details: { version: 1, status: 'draft' },
        },
      ]);
      const [entry] = await auditActions();
      expect(entry).toMatchObject({
        action: 'incidents.postmortem.create',
        resourceId: 'inc-1',
        resourceName: '#42 Checkout API returns 502',
      });
    });

    it('creating twice is a conflict and writes nothing more', async () => {
      await svc.create(ALICE, '42');
      const err = await rejection(svc.create(BOB, 'inc-1'));
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.code).toBe('already_exists');
      expect(err.hint).toContain('PATCH /api/v1/incidents/42/postmortem');
      expect(incidents.recorded).toHaveLength(1);
      expect(await auditActions()).toHaveLength(1);
    });

    it('two creates racing end with one postmortem and one conflict', async () => {
      const results = await Promise.allSettled([svc.create(ALICE, '42'), svc.create(BOB, '42')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).toBeInstanceOf(ConflictError);
    });

    it('an unknown incident is 404, and so is a missing postmortem', async () => {
      expect(await rejection(svc.create(ALICE, '999'))).toBeInstanceOf(NotFoundError);
      const err = await rejection(svc.get('42'));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.hint).toContain('POST /api/v1/incidents/42/postmortem');
      expect(await rejection(svc.markdown('42'))).toBeInstanceOf(NotFoundError);
    });
  });

  describe('updating with optimistic concurrency', () => {
    beforeEach(async () => {
      await svc.create(ALICE, '42');
      clock.advance(MIN);
    });

    it('PATCH changes only the sections given and bumps the version', async () => {
      const before = await svc.get('42');
      const pm = await svc.update(
        BOB,
        '42',
        { version: 1, document: { rootCause: 'Pool too small', wentWell: ['Fast rollback'] } },
        'patch',
      );
      expect(pm).toMatchObject({
        version: 2,
        updatedBy: 'bob@example.com',
        updatedAt: new Date(T0 + DAY + MIN).toISOString(),
      });
      expect(pm.document).toEqual({ ...before.document, rootCause: 'Pool too small', wentWell: ['Fast rollback'] });
      expect(await svc.get('42')).toEqual(pm);
    });

    it('each update records the changed sections on the timeline and in the audit log', async () => {
      await svc.update(BOB, '42', { version: 1, document: { rootCause: 'Pool too small' } }, 'patch');
      expect(incidents.recorded.at(-1)).toEqual({
        incidentId: 'inc-1',
        type: 'postmortem.updated',
        actor: 'user:bob@example.com',
        message: 'Postmortem edited rootCause',
        details: { version: 2, status: 'draft', sections: ['rootCause'] },
      });
      const last = (await auditActions()).at(-1);
      expect(last).toMatchObject({
        action: 'incidents.postmortem.update',
        before: { status: 'draft', version: 1, document: { rootCause: '' } },
        after: { status: 'draft', version: 2, document: { rootCause: 'Pool too small' } },
      });
    });

    it('PUT replaces the whole document', async () => {
      const doc: PostmortemDocument = {
        summary: 's',
        impact: 'i',
        timeline: [{ at: new Date(T0).toISOString(), actor: 'system', message: 'start' }],
        rootCause: 'r',
        contributingFactors: ['c'],
        fiveWhys: [{ why: 'w', because: 'b' }],
        wentWell: [],
        wentBadly: ['slow page'],
        lessons: '',
        sections: [{ title: 'Comms', body: 'ok' }],
      };
      const pm = await svc.update(ALICE, '42', { version: 1, document: doc }, 'replace');
      expect(pm.document).toEqual(doc);
      expect(pm.version).toBe(2);
    });

    it('a stale version is a 409 with a hint naming the current version, and nothing is written', async () => {
      await patch({ version: 1, document: { rootCause: 'first' } });
      const err = await rejection(svc.update(BOB, '42', { version: 1, document: { rootCause: 'second' } }, 'patch'));
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.code).toBe('version_conflict');
      expect(err.hint).toContain('it is now version 2');
      expect(err.hint).toContain('alice@example.com');
      expect(err.fields?.[0]?.path).toBe('version');
      const pm = await svc.get('42');
      expect(pm).toMatchObject({ version: 2, document: { rootCause: 'first' } });
      expect(incidents.recorded).toHaveLength(2);
    });

    it('updatedAt works as the precondition too', async () => {
      const current = await svc.get('42');
      const pm = await patch({ updatedAt: current.updatedAt, document: { lessons: 'alert earlier' } });
      expect(pm.version).toBe(2);
      const err = await rejection(patch({ updatedAt: current.updatedAt, document: { lessons: 'again' } }));
      expect(err).toBeInstanceOf(ConflictError);
      expect((await svc.get('42')).document.lessons).toBe('alert earlier');
    });

    it('two saves racing from the same version: one wins, the other gets a conflict', async () => {
      const results = await Promise.allSettled([
        svc.update(ALICE, '42', { version: 1, document: { rootCause: 'a' } }, 'patch'),
        svc.update(BOB, '42', { version: 1, document: { rootCause: 'b' } }, 'patch'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
        ConflictError,
      );
      expect((await svc.get('42')).version).toBe(2);
    });

    it('an update without version or updatedAt is refused with the field named', async () => {
      const err = await rejection(patch({ document: { rootCause: 'x' } }));
      expect(err).toBeInstanceOf(InputError);
      expect(err.fields?.map((f) => f.path)).toEqual(['version']);
    });

    it('bad input is a 400 naming the field, and nothing is written', async () => {
      const bad = { version: 1, document: { fiveWhys: [{ why: 42, because: '' }] } } as unknown as PostmortemUpdate;
      const err = await rejection(patch(bad));
      expect(err).toBeInstanceOf(InputError);
      expect(err.fields?.[0]?.path).toBe('document.fiveWhys.0.why');
      const unknown = await rejection(patch({ version: 1, document: { nope: 'x' } } as unknown as PostmortemUpdate));
      expect(unknown.fields?.[0]?.path).toBe('document');
      const partial = await rejection(
        svc.update(ALICE, '42', { version: 1, document: { summary: 'x' } } as PostmortemUpdate, 'replace'),
      );
      expect(partial.fields?.map((f) => f.path)).toContain('document.impact');
      expect((await svc.get('42')).version).toBe(1);
      expect(incidents.recorded).toHaveLength(1);
    });

    it('an update that changes nothing keeps the version and records nothing', async () => {
      const current = await svc.get('42');
      const same = await patch({ version: 1, document: { rootCause: current.document.rootCause } });
      expect(same).toEqual(current);
      expect(incidents.recorded).toHaveLength(1);
    });
  });

  describe('status', () => {
    beforeEach(async () => {
      await svc.create(ALICE, '42');
      clock.advance(MIN);
    });

    it('goes draft → in review → published and stamps publishedAt', async () => {
      const review = await patch({ version: 1, status: 'in_review' });
      expect(review).toMatchObject({ status: 'in_review', version: 2, publishedAt: null });
      clock.advance(MIN);
      const published = await patch({ version: 2, status: 'published' });
      expect(published).toMatchObject({
        status: 'published',
        version: 3,
        publishedAt: new Date(T0 + DAY + 2 * MIN).toISOString(),
      });
      expect(incidents.recorded.map((e) => e.message)).toEqual([
        'Postmortem started from the template',
        'Postmortem sent for review',
        'Postmortem published',
      ]);
      expect(incidents.recorded.at(-1)?.details).toMatchObject({ status: 'published', from: 'in_review' });
      expect((await auditActions()).map((a) => a.action)).toEqual([
        'incidents.postmortem.create',
        'incidents.postmortem.in_review',
        'incidents.postmortem.published',
      ]);
    });

    it('cannot skip the review', async () => {
      const err = await rejection(patch({ version: 1, status: 'published' }));
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.code).toBe('invalid_transition');
      expect(err.fields?.[0]?.path).toBe('status');
      expect((await svc.get('42')).status).toBe('draft');
    });

    it('a published postmortem is read-only until it goes back to draft, which clears publishedAt', async () => {
      await patch({ version: 1, status: 'in_review' });
      await patch({ version: 2, status: 'published' });
      const err = await rejection(patch({ version: 3, document: { rootCause: 'late edit' } }));
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.code).toBe('postmortem_published');
      const draft = await patch({ version: 3, status: 'draft', document: { rootCause: 'late edit' } });
      expect(draft).toMatchObject({
        status: 'draft',
        version: 4,
        publishedAt: null,
        document: { rootCause: 'late edit' },
      });
      expect(incidents.recorded.at(-1)?.message).toBe('Postmortem moved back to draft; edited rootCause');
    });

    it('a reviewer can send it back to draft', async () => {
      await patch({ version: 1, status: 'in_review' });
      expect(await patch({ version: 2, status: 'draft' })).toMatchObject({ status: 'draft', version: 3 });
    });
  });

  it('exports the postmortem with its action items as Markdown', async () => {
    await svc.create(ALICE, '42');
    await svc.createActionItem(ALICE, '42', {
      title: 'Raise pool size',
      owner: 'alice@example.com',
      dueDate: '2026-11-25',
    });
    await svc.createActionItem(ALICE, '43', { title: 'Belongs to another incident' });
    const md = await svc.markdown('inc-1');
    expect(md.startsWith('# Postmortem: #42 Checkout API returns 502\n')).toBe(true);
    expect(md).toContain('| Rolled back deploy 1234 \\| errors dropping |');
    expect(md).toContain('- [ ] Raise pool size — owner: alice@example.com, due: 2026-11-25');
    expect(md).not.toContain('another incident');
  });
});
