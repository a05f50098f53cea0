import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { auditMigrations } from '../../../platform/audit/audit.migrations.js';
import { AuditStore } from '../../../platform/audit/audit.store.js';
import { FakeClock } from '../../../platform/clock.js';
import { migrate } from '../../../platform/db/migrations.js';
import { InputError, NotFoundError } from '../../../platform/errors.js';
import type { PageQuery } from '../../../platform/http/pagination.js';
import { postmortemMigrations } from '../postmortem.migrations.js';
import type { CreateActionItem } from '../postmortem.model.js';
import { PostmortemService } from '../postmortem.service.js';
import { ALICE, BOB, DAY, FakeIncidents, MIN, makeIncident } from './fixtures.js';

/** 2026-11-20 12:00 UTC: "today" is 2026-11-20. */
const NOON = Date.UTC(2026, 10, 20, 12, 0, 0);
const PAGE: PageQuery = { limit: 50, offset: 0 };

describe.each(engines())('action items on %s', (engine) => {
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
    clock = new FakeClock(NOON);
    incidents = new FakeIncidents([makeIncident(), makeIncident({ id: 'inc-2', number: 43, title: 'Disk full' })]);
    audit = new AuditStore(clock);
    svc = new PostmortemService({ database: tdb.database, clock, audit, incidents });
  });
  afterEach(() => tdb.close());

  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as Error & { code?: string; fields?: Array<{ path: string }> };
    }
    throw new Error('expected a rejection');
  };
  const add = (ref: string, input: CreateActionItem) => {
    const item = svc.createActionItem(ALICE, ref, input);
    clock.advance(1_000);
    return item;
  };
  const titles = async (filter: Parameters<PostmortemService['listActionItems']>[0], page: Partial<PageQuery> = {}) =>
    (await svc.listActionItems(filter, { ...PAGE, ...page })).items.map((i) => i.title);

  describe('creating', () => {
    it('creates an open item on the incident, owner lower-cased, and records it', async () => {
      const item = await svc.createActionItem(ALICE, '42', {
        title: '  Raise pool size ',
        owner: 'Bob@Example.com',
        dueDate: '2026-11-25',
        priority: 'high',
      });
      expect(item).toMatchObject({
        incidentId: 'inc-1',
        title: 'Raise pool size',
        description: '',
        owner: 'bob@example.com',
        dueDate: '2026-11-25',
        status: 'open',
        priority: 'high',
        overdue: false,
        createdBy: 'alice@example.com',
        doneAt: null,
      });
      expect(await svc.getActionItem(item.id)).toEqual(item);
      expect(incidents.recorded).toEqual([
        expect.objectContaining({
          incidentId: 'inc-1',
          type: 'postmortem.updated',
          actor: 'user:alice@example.com',
          message: 'Action item added: Raise pool size',
          details: expect.objectContaining({ actionItemId: item.id }),
        }),
      ]);
      const entries = await audit.list(tdb.database.db, { resourceType: 'ActionItem' }, PAGE);
      expect(entries.items).toEqual([
        expect.objectContaining({ action: 'incidents.action_item.create', resourceId: item.id }),
      ]);
    });

    it('an item created as done is stamped done', async () => {
      const item = await svc.createActionItem(ALICE, '42', { title: 'Already fixed', status: 'done' });
      expect(item.doneAt).toBe(new Date(NOON).toISOString());
    });

    it('an unknown incident is 404 and writes nothing', async () => {
      expect(await rejection(svc.createActionItem(ALICE, '999', { title: 'x' }))).toBeInstanceOf(NotFoundError);
      expect((await svc.listActionItems({}, PAGE)).total).toBe(0);
    });

    it.each([
      [{ title: '   ' }, 'title'],
      [{ title: 'x', dueDate: '2026-02-30' }, 'dueDate'],
      [{ title: 'x', dueDate: '30/11/2026' }, 'dueDate'],
      [{ title: 'x', owner: 'not-an-email' }, 'owner'],
      [{ title: 'x', status: 'closed' }, 'status'],
      [{ title: 'x', colour: 'red' }, ''],
    ])('bad input %j is refused naming the field %j, and nothing is written', async (input, path) => {
      const err = await rejection(svc.createActionItem(ALICE, '42', input as CreateActionItem));
      expect(err).toBeInstanceOf(InputError);
      expect(err.fields?.[0]?.path).toBe(path);
      expect((await svc.listActionItems({}, PAGE)).total).toBe(0);
      expect(incidents.recorded).toEqual([]);
    });
  });

  describe('updating and deleting', () => {
    it('done stamps doneAt, reopening clears it, and each change is recorded', async () => {
      const item = await add('42', { title: 'Raise pool size' });
      clock.advance(MIN);
      const done = await svc.updateActionItem(BOB, item.id, { status: 'done' });
      expect(done).toMatchObject({ status: 'done', doneAt: new Date(NOON + 1_000 + MIN).toISOString() });
      expect(done.updatedAt).toBe(done.doneAt);
      clock.advance(MIN);
      const reopened = await svc.updateActionItem(BOB, item.id, { status: 'in_progress' });
      expect(reopened).toMatchObject({ status: 'in_progress', doneAt: null });
      clock.advance(MIN);
      const wontDo = await svc.updateActionItem(BOB, item.id, { status: 'wont_do' });
      expect(wontDo.doneAt).toBeNull();
      expect(incidents.recorded.map((e) => e.message)).toEqual([
        'Action item added: Raise pool size',
        'Action item updated: Raise pool size is now done',
        'Action item updated: Raise pool size is now in progress',
        "Action item updated: Raise pool size is now won't do",
      ]);
      const entries = await audit.list(
        tdb.database.db,
        { action: 'incidents.action_item.update' },
        { ...PAGE, sort: 'at' },
      );
      expect(entries.items[0]).toMatchObject({ before: { status: 'open' }, after: { status: 'done' } });
    });

    it('changes fields, clears owner and due date with null, and leaves the rest alone', async () => {
      const item = await add('42', { title: 'A', owner: 'alice@example.com', dueDate: '2026-11-30', description: 'd' });
      const changed = await svc.updateActionItem(BOB, item.id, { title: 'B', owner: null, dueDate: null });
      expect(changed).toMatchObject({ title: 'B', owner: null, dueDate: null, description: 'd', status: 'open' });
      expect(incidents.recorded.at(-1)?.message).toBe('Action item updated: B (title, owner, dueDate changed)');
    });

    it('an update that changes nothing keeps updatedAt and records nothing', async () => {
      const item = await add('42', { title: 'A' });
      expect(await svc.updateActionItem(BOB, item.id, { title: 'A' })).toEqual(item);
      expect(incidents.recorded).toHaveLength(1);
    });

    it('bad updates name the field and write nothing', async () => {
      const item = await add('42', { title: 'A' });
      const err = await rejection(svc.updateActionItem(BOB, item.id, { dueDate: '2026-13-01' }));
      expect(err.fields?.[0]?.path).toBe('dueDate');
      expect(await rejection(svc.updateActionItem(BOB, item.id, {}))).toBeInstanceOf(InputError);
      expect(await svc.getActionItem(item.id)).toEqual(item);
    });

    it('delete removes the item; a second delete or update is 404', async () => {
      const item = await add('42', { title: 'A' });
      await svc.deleteActionItem(BOB, item.id);
      expect(await rejection(svc.getActionItem(item.id))).toBeInstanceOf(NotFoundError);
      expect(await rejection(svc.deleteActionItem(BOB, item.id))).toBeInstanceOf(NotFoundError);
      expect(await rejection(svc.updateActionItem(BOB, item.id, { title: 'B' }))).toBeInstanceOf(NotFoundError);
      expect(incidents.recorded.at(-1)).toMatchObject({ incidentId: 'inc-1', message: 'Action item removed: A' });
    });
  });

  describe('listing', () => {
    beforeEach(async () => {
      await add('42', { title: 'undated', owner: 'alice@example.com' });
      await add('42', { title: 'due 25th', dueDate: '2026-11-25', owner: 'bob@example.com' });
      await add('43', { title: 'due 19th', dueDate: '2026-11-19', owner: 'alice@example.com' });
      await add('43', { title: 'due 25th later', dueDate: '2026-11-25' });
      await add('42', { title: 'done, due 10th', dueDate: '2026-11-10', status: 'done' });
      await add('43', { title: 'in progress, due 20th', dueDate: '2026-11-20', status: 'in_progress' });
      await add('42', { title: "won't do, due 1st", dueDate: '2026-11-01', status: 'wont_do' });
    });

    it('lists across incidents by due date, then creation, undated last', async () => {
      expect(await titles({})).toEqual([
        "won't do, due 1st",
        'done, due 10th',
        'due 19th',
        'in progress, due 20th',
        'due 25th',
        'due 25th later',
        'undated',
      ]);
    });

    it('pages on the server with a total', async () => {
      const page = await svc.listActionItems({}, { limit: 2, offset: 2 });
      expect(page).toMatchObject({ total: 7, limit: 2, offset: 2 });
      expect(page.items.map((i) => i.title)).toEqual(['due 19th', 'in progress, due 20th']);
    });

    it('filters by status, owner (any case) and incident (id or number)', async () => {
      expect(await titles({ status: ['done', 'wont_do'] })).toEqual(["won't do, due 1st", 'done, due 10th']);
      expect(await titles({ owner: 'ALICE@example.com' })).toEqual(['due 19th', 'undated']);
      expect(await titles({ incident: '43' })).toEqual(['due 19th', 'in progress, due 20th', 'due 25th later']);
      expect(await titles({ incident: 'inc-2', status: ['open'] })).toEqual(['due 19th', 'due 25th later']);
      expect(await titles({ incident: '999' })).toEqual([]);
      expect(await titles({ q: 'LATER' })).toEqual(['due 25th later']);
    });

    it('overdue means open or in progress and due before today in UTC', async () => {
      expect(await titles({ overdue: true })).toEqual(['due 19th']);
      const [item] = (await svc.listActionItems({ overdue: true }, PAGE)).items;
      expect(item?.overdue).toBe(true);
      expect(await titles({ overdue: false })).toEqual([
        "won't do, due 1st",
        'done, due 10th',
        'in progress, due 20th',
        'due 25th',
        'due 25th later',
        'undated',
      ]);
    });

    it('the overdue line moves with the clock at midnight UTC', async () => {
      clock.set(Date.UTC(2026, 10, 20, 23, 59, 59));
      expect(await titles({ overdue: true })).toEqual(['due 19th']);
      clock.set(Date.UTC(2026, 10, 21, 0, 0, 0));
      expect(await titles({ overdue: true })).toEqual(['due 19th', 'in progress, due 20th']);
      clock.advance(5 * DAY);
      expect(await titles({ overdue: true, owner: 'bob@example.com' })).toEqual(['due 25th']);
    });

    it('sorts by other fields on request and refuses unknown ones', async () => {
      expect((await titles({}, { sort: '-createdAt' }))[0]).toBe("won't do, due 1st");
      expect((await titles({}, { sort: '-dueDate' })).at(-1)).toBe('undated');
      const err = await rejection(svc.listActionItems({}, { ...PAGE, sort: 'owner' }));
      expect(err).toBeInstanceOf(InputError);
      expect(err.fields?.[0]?.path).toBe('sort');
    });

    it("the incident page lists only that incident's items, and 404s for an unknown incident", async () => {
      const page = await svc.incidentActionItems('42', {}, PAGE);
      expect(page.items.map((i) => i.title)).toEqual(["won't do, due 1st", 'done, due 10th', 'due 25th', 'undated']);
      expect((await svc.incidentActionItems('inc-2', { overdue: true }, PAGE)).items.map((i) => i.title)).toEqual([
        'due 19th',
      ]);
      expect(await rejection(svc.incidentActionItems('999', {}, PAGE))).toBeInstanceOf(NotFoundError);
    });
  });
});
