import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { doc, email, Harness, type Hook, MIN, startReceiver } from './fixture.js';

const ADMIN = 'token:admin@example.test';

/** The incident lifecycle through the REST API: create, ack, resolve, reopen, edits, notes, roles, responders, lists, stats. */
describe.each(engines())('incident lifecycle over REST on %s', (engine) => {
  let hook: Hook;
  let h: Harness;

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    h = await new Harness(engine, hook, '2026-11-23T10:00:00Z').start();
    for (const who of ['alice', 'bob', 'carol']) await h.user(who);
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('EscalationPolicy', 'ops', {
        levels: [
          { escalateAfterMinutes: 5, targets: [{ user: email('alice') }] },
          { escalateAfterMinutes: 5, targets: [{ user: email('bob') }] },
        ],
      }),
    ]);
    for (const who of ['alice', 'bob', 'carol']) await h.contact(who, 'hook', 'pager-hook');
  });
  afterEach(() => h?.close());

  it('an incident opened by hand without a policy pages nobody and has no escalation', async () => {
    const inc = await h.incident({ title: 'Printer on fire', severity: 'SEV4', service: 'office' });
    expect(inc).toMatchObject({
      number: 1,
      title: 'Printer on fire',
      description: '',
      severity: 'SEV4',
      urgency: 'high',
      status: 'triggered',
      service: 'office',
      policy: null,
      escalation: null,
      createdBy: ADMIN,
      createdAt: '2026-11-23T10:00:00.000Z',
      alerts: { total: 0, firing: 0 },
      roles: [],
      responders: [],
    });
    await h.run(30 * MIN);
    expect(h.pages()).toEqual([]);
    const timeline = await h.timeline(inc.id);
    expect(timeline.map((e) => e.type)).toEqual(['created']);
    expect(timeline[0]).toMatchObject({ actor: ADMIN, message: 'SEV4 high urgency incident opened' });
  });

  it('acknowledge and resolve are idempotent; acknowledging a resolved incident is 409 already_resolved', async () => {
    const inc = await h.incident({ title: 'Disk full', severity: 'SEV2', policy: 'ops' });
    expect(inc.escalation).toEqual({ run: 0, cycle: 0, level: 0, nextAt: '2026-11-23T10:05:00.000Z' });
    await h.run();
    expect(h.pages()).toEqual(['incident.triggered:alice@example.test']);

    await h.run(MIN);
    const acked = await h.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: ADMIN,
      acknowledgedAt: '2026-11-23T10:01:00.001Z',
      ttaSeconds: 60,
      escalation: { nextAt: null },
    });
    await h.run(MIN);
    const again = await h.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`);
    expect(again.status).toBe(200);
    expect(again.body.acknowledgedAt).toBe('2026-11-23T10:01:00.001Z');
    // Acknowledged: bob (level 2) is not paged when its delay passes.
    await h.run(10 * MIN);
    expect(h.pages()).toEqual(['incident.triggered:alice@example.test']);

    const resolved = await h.call('POST', `/api/v1/incidents/${inc.id}/resolve`);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: ADMIN, ttrSeconds: 720 });
    await h.run(MIN);
    const twice = await h.call('POST', `/api/v1/incidents/${inc.id}/resolve`);
    expect(twice.status).toBe(200);
    expect(twice.body.resolvedAt).toBe(resolved.body.resolvedAt);

    const late = await h.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'already_resolved', hint: 'reopen it first' });

    const types = await h.types(inc.id);
    expect(types.filter((t) => t === 'acknowledged')).toHaveLength(1);
    expect(types.filter((t) => t === 'resolved')).toHaveLength(1);
    const changes = (await h.timeline(inc.id)).filter((e) => e.type === 'status.changed').map((e) => e.message);
    expect(changes).toEqual(['triggered → acknowledged', 'acknowledged → resolved']);
  });

  it('reopen makes a resolved incident triggered again and restarts escalation with a new page', async () => {
    const inc = await h.incident({ title: 'Queue stuck', policy: 'ops' });
    await h.run();
    await h.call('POST', `/api/v1/incidents/${inc.id}/resolve`);
    await h.run(10 * MIN);
    expect(h.pages()).toEqual(['incident.triggered:alice@example.test']);

    const reopened = await h.call('POST', `/api/v1/incidents/${inc.number}/reopen`);
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'triggered',
      resolvedAt: null,
      resolvedBy: null,
      escalation: { run: 1, cycle: 0, level: 0 },
    });
    await h.run();
    expect(h.pages()).toEqual(['incident.triggered:alice@example.test', 'incident.triggered:alice@example.test']);
    // The restarted run escalates on its own schedule: bob 5 minutes after the reopen.
    await h.run(5 * MIN);
    expect(h.pages()).toEqual([
      'incident.triggered:alice@example.test',
      'incident.triggered:alice@example.test',
      'incident.escalated:bob@example.test',
    ]);
    // Reopening an open incident changes nothing.
    expect((await h.call('POST', `/api/v1/incidents/${inc.id}/reopen`)).body.escalation.run).toBe(1);
    const types = await h.types(inc.id);
    expect(types.filter((t) => t === 'reopened')).toHaveLength(1);
    const steps = (await h.timeline(inc.id)).filter((e) => e.type === 'escalation.step' && e.details.run !== undefined);
    expect(steps.map((e) => [e.details.run, e.details.level])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
    ]);
  });

  it('changing fields records field.changed for each field that changed, and nothing for the same value', async () => {
    const inc = await h.incident({ title: 'Slow API', severity: 'SEV3', service: 'api' });
    const r = await h.call('PATCH', `/api/v1/incidents/${inc.id}`, {
      title: 'Slow API in eu-1',
      severity: 'SEV2',
      service: 'api',
      description: 'p99 over 2 s',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ title: 'Slow API in eu-1', severity: 'SEV2', description: 'p99 over 2 s' });
    const changed = (await h.timeline(inc.id)).filter((e) => e.type === 'field.changed');
    expect(changed.map((e) => [e.message, e.details, e.actor])).toEqual([
      ['title: Slow API → Slow API in eu-1', { field: 'title', from: 'Slow API', to: 'Slow API in eu-1' }, ADMIN],
      ['description changed', { field: 'description' }, ADMIN],
      ['severity: SEV3 → SEV2', { field: 'severity', from: 'SEV3', to: 'SEV2' }, ADMIN],
    ]);
    const bad = await h.call('PATCH', `/api/v1/incidents/${inc.id}`, { severity: 'SEV9' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('severity');
  });

  it('notes go on the timeline with their author', async () => {
    const inc = await h.incident({ title: 'Cache cold' });
    const r = await h.call('POST', `/api/v1/incidents/${inc.id}/notes`, { text: 'warming it by hand' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'note', actor: ADMIN, message: 'warming it by hand', incidentId: inc.id });
    expect((await h.call('POST', `/api/v1/incidents/${inc.id}/notes`, { text: ' ' })).status).toBe(400);
    expect((await h.types(inc.id)).filter((t) => t === 'note')).toHaveLength(1);
  });

  it('roles: commander, communications and a custom role are assigned, reassigned and unassigned', async () => {
    const inc = await h.incident({ title: 'Outage' });
    const put = (role: string, who: string) =>
      h.call('PUT', `/api/v1/incidents/${inc.id}/roles`, { role, user: email(who) });
    expect((await put('commander', 'alice')).status).toBe(200);
    expect((await put('communications', 'bob')).status).toBe(200);
    expect((await put('scribe', 'carol')).status).toBe(200);
    h.clock.advance(MIN);
    const reassigned = await put('commander', 'bob');
    expect(reassigned.body.roles).toEqual([
      { role: 'commander', user: email('bob'), assignedAt: '2026-11-23T10:01:00.000Z' },
      { role: 'communications', user: email('bob'), assignedAt: '2026-11-23T10:00:00.000Z' },
      { role: 'scribe', user: email('carol'), assignedAt: '2026-11-23T10:00:00.000Z' },
    ]);
    const removed = await h.call('DELETE', `/api/v1/incidents/${inc.id}/roles/scribe`);
    expect(removed.status).toBe(200);
    expect(removed.body.roles.map((r: { role: string }) => r.role)).toEqual(['commander', 'communications']);
    expect((await h.call('DELETE', `/api/v1/incidents/${inc.id}/roles/scribe`)).status).toBe(404);
    const unknown = await put('commander', 'ghost');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([{ path: 'user', message: 'no such user' }]);
    expect((await put('Not A Role', 'alice')).status).toBe(400);

    const roleEntries = (await h.timeline(inc.id))
      .filter((e) => e.type.startsWith('role.'))
      .map((e) => `${e.type} ${e.message}`);
    expect(roleEntries).toEqual([
      'role.assigned commander: alice@example.test',
      'role.assigned communications: bob@example.test',
      'role.assigned scribe: carol@example.test',
      'role.assigned commander: bob@example.test',
      'role.removed scribe unassigned',
    ]);
  });

  it('a responder is added once and paged through their own notification rules', async () => {
    await h.rules('carol', [{ contactMethod: 'hook', delayMinutes: 0 }]);
    const inc = await h.incident({ title: 'Database failover', policy: 'ops' });
    await h.run();
    const r = await h.call('POST', `/api/v1/incidents/${inc.id}/responders`, {
      user: email('carol'),
      message: 'you know the replica',
    });
    expect(r.status).toBe(200);
    expect(r.body.responders).toEqual([{ user: email('carol'), addedAt: '2026-11-23T10:00:00.001Z' }]);
    await h.run();
    expect(h.pages()).toEqual(['incident.triggered:alice@example.test', 'incident.triggered:carol@example.test']);
    // Asked again: still one responder, no second page.
    await h.call('POST', `/api/v1/incidents/${inc.id}/responders`, { user: email('carol') });
    await h.run();
    expect(h.pages()).toHaveLength(2);
    const added = (await h.timeline(inc.id)).filter((e) => e.type === 'responder.added');
    expect(added.map((e) => e.message)).toEqual(['carol@example.test asked to respond: you know the replica']);
    const carolDeliveries = (await h.deliveries(inc.id)).filter((d) => d.userId === h.users.carol);
    expect(carolDeliveries).toMatchObject([{ status: 'delivered', lane: 'page', channel: 'pager-hook' }]);
    const ghost = await h.call('POST', `/api/v1/incidents/${inc.id}/responders`, { user: email('ghost') });
    expect(ghost.status).toBe(400);
  });

  it('a responder without contact methods is added, and the timeline says nobody could reach them', async () => {
    await h.user('dave');
    const inc = await h.incident({ title: 'Network partition' });
    const r = await h.call('POST', `/api/v1/incidents/${inc.id}/responders`, { user: email('dave') });
    expect(r.status).toBe(200);
    expect(r.body.responders.map((x: { user: string }) => x.user)).toEqual([email('dave')]);
    const entries = (await h.timeline(inc.id)).filter((e) => e.type !== 'created');
    expect(entries.map((e) => [e.type, e.message])).toEqual([
      ['responder.added', 'dave@example.test asked to respond'],
      ['notification.failed', 'dave@example.test has no contact methods; nobody could reach them'],
    ]);
  });

  it('lists filter by status (csv), severity, service and q, page, and GET takes the number', async () => {
    const specs = [
      { title: 'API down', severity: 'SEV1', service: 'api' },
      { title: 'API slow', severity: 'SEV3', service: 'api' },
      { title: 'Disk 90% on db-1', severity: 'SEV3', service: 'db' },
      { title: 'Disk 95% on db-2', severity: 'SEV2', service: 'db' },
      { title: 'Backups late', severity: 'SEV4', service: 'backup' },
    ];
    const made = [];
    for (const spec of specs) {
      made.push(await h.incident(spec));
      h.clock.advance(1000);
    }
    await h.call('POST', `/api/v1/incidents/${made[1].id}/acknowledge`);
    await h.call('POST', `/api/v1/incidents/${made[2].id}/resolve`);
    const titles = async (query: string) => {
      const r = await h.call('GET', `/api/v1/incidents?${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return { total: r.body.total, titles: r.body.items.map((i: { title: string }) => i.title) };
    };
    expect(await titles('status=triggered,acknowledged')).toEqual({
      total: 4,
      titles: ['Backups late', 'Disk 95% on db-2', 'API slow', 'API down'],
    });
    expect(await titles('status=resolved')).toEqual({ total: 1, titles: ['Disk 90% on db-1'] });
    expect(await titles('severity=SEV3')).toEqual({ total: 2, titles: ['Disk 90% on db-1', 'API slow'] });
    expect(await titles('severity=SEV1,SEV2&service=db')).toEqual({ total: 1, titles: ['Disk 95% on db-2'] });
    expect(await titles('q=disk')).toEqual({ total: 2, titles: ['Disk 95% on db-2', 'Disk 90% on db-1'] });
    expect(await titles('q=90%25')).toEqual({ total: 1, titles: ['Disk 90% on db-1'] });
    expect(await titles('limit=2&offset=2')).toEqual({ total: 5, titles: ['Disk 90% on db-1', 'API slow'] });
    expect(await titles('sort=number&limit=1')).toEqual({ total: 5, titles: ['API down'] });
    const bad = await h.call('GET', '/api/v1/incidents?status=open');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toMatch(/^status/);

    expect((await h.get(3)).title).toBe('Disk 90% on db-1');
    expect((await h.get('%233')).id).toBe(made[2].id);
    expect((await h.call('GET', '/api/v1/incidents/99')).status).toBe(404);
  });

  it('stats give MTTA and MTTR in exact seconds per service and per team', async () => {
    const res = await h.call('POST', '/api/v1/teams', { name: 'payments' });
    expect(res.status).toBe(201);
    const a1 = await h.incident({ title: 'a1', service: 'api', team: 'payments' });
    h.clock.advance(60_000);
    await h.call('POST', `/api/v1/incidents/${a1.id}/acknowledge`);
    const a2 = await h.incident({ title: 'a2', service: 'api', team: 'payments' });
    h.clock.advance(180_000);
    await h.call('POST', `/api/v1/incidents/${a2.id}/acknowledge`);
    h.clock.advance(1_020_000);
    await h.call('POST', `/api/v1/incidents/${a2.id}/resolve`);
    const d1 = await h.incident({ title: 'd1', service: 'db' });
    h.clock.advance(30_000);
    await h.call('POST', `/api/v1/incidents/${d1.id}/resolve`);
    await h.call('POST', `/api/v1/incidents/${a1.id}/resolve`);

    const byService = await h.call('GET', '/api/v1/incident-stats?by=service');
    expect(byService.status).toBe(200);
    const rows = [...byService.body].sort((x, y) => String(x.key).localeCompare(String(y.key)));
    expect(rows).toEqual([
      // a1: ack 60, resolve 1290; a2: ack 180, resolve 1200.
      { key: 'api', incidents: 2, acknowledged: 2, resolved: 2, mttaSeconds: 120, mttrSeconds: 1245 },
      { key: 'db', incidents: 1, acknowledged: 0, resolved: 1, mttaSeconds: null, mttrSeconds: 30 },
    ]);
    const byTeam = await h.call('GET', '/api/v1/incident-stats?by=team');
    const teams = [...byTeam.body].sort((x, y) => Number(x.key === null) - Number(y.key === null));
    expect(teams).toEqual([
      { key: 'payments', incidents: 2, acknowledged: 2, resolved: 2, mttaSeconds: 120, mttrSeconds: 1245 },
      { key: null, incidents: 1, acknowledged: 0, resolved: 1, mttaSeconds: null, mttrSeconds: 30 },
    ]);
    const all = await h.call('GET', '/api/v1/incident-stats');
    expect(all.body).toEqual([
      { key: null, incidents: 3, acknowledged: 2, resolved: 3, mttaSeconds: 120, mttrSeconds: 840 },
    ]);
    expect((await h.get(a1.id)).ttrSeconds).toBe(1290);
    // A range that ends before the incidents counts none of them.
    const empty = await h.call('GET', '/api/v1/incident-stats?to=2026-11-23T09:00:00Z');
    expect(empty.body).toEqual([
      { key: null, incidents: 0, acknowledged: 0, resolved: 0, mttaSeconds: null, mttrSeconds: null },
    ]);
  });
});
