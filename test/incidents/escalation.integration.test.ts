import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { doc, Harness, type Hook, MIN, startReceiver } from './fixture.js';

const ALICE = 'alice@example.test';

/** Escalation policy semantics, on a fake clock: repeats, ack timeout, support hours, round-robin, channels, rules. */
describe.each(engines())('escalation semantics on %s', (engine) => {
  let hook: Hook;
  let h: Harness;
  const policy = (spec: Record<string, unknown>) => h.applyOk([doc('EscalationPolicy', 'ops', spec)]);
  const ofType = async (id: string, type: string) => (await h.timeline(id)).filter((e) => e.type === type);

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    // Monday 2026-11-23 10:00 UTC.
    h = await new Harness(engine, hook, '2026-11-23T10:00:00Z').start();
    for (const who of ['alice', 'bob', 'carol', 'dave']) await h.user(who);
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('Channel', 'push-hook', { type: 'webhook', url: `${hook.url}/push` }),
      doc('Channel', 'phone-hook', { type: 'webhook', url: `${hook.url}/phone` }),
      doc('Channel', 'ops-room', { type: 'webhook', url: `${hook.url}/room` }),
    ]);
    for (const who of ['alice', 'bob', 'carol']) await h.contact(who, 'pager', 'pager-hook');
  });
  afterEach(() => h?.close());

  it('repeat 2: the policy runs twice more after its last level, then escalation.exhausted', async () => {
    await policy({ repeat: 2, levels: [{ escalateAfterMinutes: 5, targets: [{ user: ALICE }] }] });
    const inc = await h.incident({ title: 'Nobody home', policy: 'ops' });
    await h.run();
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    await h.run(5 * MIN - 2);
    expect(h.pages()).toHaveLength(1);
    await h.run(1);
    await h.run(5 * MIN);
    expect(h.pages()).toEqual([
      `incident.triggered:${ALICE}`,
      `incident.escalated:${ALICE}`,
      `incident.escalated:${ALICE}`,
    ]);
    await h.run(60 * MIN);
    expect(h.pages()).toHaveLength(3);
    expect((await ofType(inc.id, 'escalation.repeat')).map((e) => e.message)).toEqual([
      'policy will repeat (1 of 2) if nobody acknowledges',
      'policy will repeat (2 of 2) if nobody acknowledges',
    ]);
    const exhausted = await ofType(inc.id, 'escalation.exhausted');
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0].at).toBe('2026-11-23T10:10:00.000Z');
    expect((await h.get(inc.id)).escalation).toEqual({ run: 0, cycle: 2, level: 0, nextAt: null });
  });

  it('an acknowledgement not followed by a resolve within ackTimeoutMinutes re-triggers and pages again', async () => {
    await policy({
      ackTimeoutMinutes: 30,
      channels: ['ops-room'],
      levels: [{ escalateAfterMinutes: 5, targets: [{ user: ALICE }] }],
    });
    const inc = await h.incident({ title: 'Flapping link', policy: 'ops' });
    await h.run();
    await h.run(MIN);
    await h.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`);
    await h.run(30 * MIN - 1);
    expect((await h.get(inc.id)).status).toBe('acknowledged');
    expect(h.pages()).toHaveLength(1);
    await h.run(1);
    const after = await h.get(inc.id);
    expect(after.status).toBe('triggered');
    expect(after.escalation).toMatchObject({ run: 1, cycle: 0, level: 0 });
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`, `incident.triggered:${ALICE}`]);
    const timeout = await ofType(inc.id, 'ack.timeout');
    expect(timeout).toHaveLength(1);
    expect(timeout[0]).toMatchObject({
      at: '2026-11-23T10:31:00.001Z',
      actor: 'policy:ops',
      message: 'acknowledged by token:admin@example.test but not resolved in time: escalating again',
    });

    // Acknowledged again and resolved in time: no second timeout.
    await h.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`);
    await h.run(10 * MIN);
    await h.call('POST', `/api/v1/incidents/${inc.id}/resolve`);
    await h.run(60 * MIN);
    expect(await ofType(inc.id, 'ack.timeout')).toHaveLength(1);
    expect(h.pages()).toHaveLength(2);
    expect((await h.get(inc.id)).status).toBe('resolved');
    // The policy's room follows along, including the return to triggered.
    expect(h.pages('/room')).toEqual([
      'incident.triggered:-',
      'incident.acknowledged:-',
      'incident.triggered:-',
      'incident.acknowledged:-',
      'incident.resolved:-',
    ]);
  });

  it('low urgency outside support hours waits (escalation.waiting, no page) and pages at the next start across DST', async () => {
    await policy({
      supportHours: {
        timeZone: 'America/New_York',
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        start: '09:00',
        end: '17:00',
      },
      levels: [{ escalateAfterMinutes: 5, targets: [{ user: ALICE }] }],
    });
    // Friday 2027-03-12 18:00 EST; New York enters DST on Sunday, so Monday 09:00 is EDT = 13:00Z, not 14:00Z.
    h.clock.set(Date.parse('2027-03-12T23:00:00Z'));
    const low = await h.incident({ title: 'Certificate expires in 20 days', urgency: 'low', policy: 'ops' });
    await h.run();
    expect(h.pages()).toEqual([]);
    const waiting = await ofType(low.id, 'escalation.waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0].details).toEqual({ until: '2027-03-15T13:00:00.000Z', level: 0 });
    expect((await h.get(low.id)).escalation.nextAt).toBe('2027-03-15T13:00:00.000Z');

    // High urgency on the same policy does not wait.
    await h.incident({ title: 'Site down', urgency: 'high', policy: 'ops' });
    await h.run();
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    hook.got.length = 0;

    await h.runAt('2027-03-15T12:59:59.999Z');
    expect(h.pages()).toEqual([]);
    await h.run(1);
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    expect(await ofType(low.id, 'escalation.waiting')).toHaveLength(1);
    const step = await ofType(low.id, 'escalation.step');
    expect(step[0].at).toBe('2027-03-15T13:00:00.000Z');
    // Low urgency goes out on the normal lane, not the paging lane.
    expect((await h.deliveries(low.id)).map((d) => [d.urgency, d.lane, d.status])).toEqual([
      ['low', 'normal', 'delivered'],
    ]);
  });

  it('a waiting low-urgency incident raised to high urgency pages at once, and only once', async () => {
    await policy({
      supportHours: { timeZone: 'Europe/Berlin', start: '09:00', end: '17:00' },
      levels: [
        { escalateAfterMinutes: 5, targets: [{ user: ALICE }] },
        { escalateAfterMinutes: 5, targets: [{ user: 'bob@example.test' }] },
      ],
    });
    // Monday 2026-11-23 20:00 Berlin: support hours start again on Tuesday at 08:00Z.
    h.clock.set(Date.parse('2026-11-23T19:00:00Z'));
    const inc = await h.incident({ title: 'Backup job slow', urgency: 'low', policy: 'ops' });
    await h.run(10 * MIN);
    expect(h.pages()).toEqual([]);
    const raised = await h.call('PATCH', `/api/v1/incidents/${inc.id}`, { urgency: 'high' });
    expect(raised.status).toBe(200);
    await h.run();
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    await h.run(5 * MIN);
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`, 'incident.escalated:bob@example.test']);
    // The support-hours wake-up the next morning finds the step done: nobody is paged twice.
    await h.runAt('2026-11-24T09:00:00Z');
    expect(h.pages()).toHaveLength(2);
    expect((await ofType(inc.id, 'escalation.step')).map((e) => e.details.level)).toEqual([0, 1]);
  });

  it('a team round-robin target pages successive members for successive incidents', async () => {
    const team = await h.call('POST', '/api/v1/teams', { name: 'sre' });
    for (const who of ['carol', 'alice', 'bob'])
      expect(
        (await h.call('PUT', `/api/v1/teams/${team.body.id}/members/${h.users[who]}`, { role: 'responder' })).status,
      ).toBe(200);
    await policy({ levels: [{ targets: [{ team: 'sre', roundRobin: true }] }] });
    for (let i = 0; i < 4; i++) {
      await h.incident({ title: `incident ${i}`, policy: 'ops' });
      await h.run();
    }
    expect(h.pages()).toEqual([
      `incident.triggered:${ALICE}`,
      'incident.triggered:bob@example.test',
      'incident.triggered:carol@example.test',
      `incident.triggered:${ALICE}`,
    ]);
  });

  it('policy channels and channel targets are told on open, acknowledge and resolve, on the normal lane', async () => {
    await policy({
      channels: ['ops-room'],
      levels: [{ escalateAfterMinutes: 5, targets: [{ user: ALICE }, { channel: 'push-hook' }] }],
    });
    const inc = await h.incident({ title: 'Payments failing', policy: 'ops' });
    await h.run();
    expect(h.pages('/room')).toEqual(['incident.triggered:-']);
    expect(h.pages('/push')).toEqual(['incident.triggered:-']);
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    await h.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`);
    await h.run();
    await h.call('POST', `/api/v1/incidents/${inc.id}/resolve`);
    await h.run();
    expect(h.pages('/room')).toEqual(['incident.triggered:-', 'incident.acknowledged:-', 'incident.resolved:-']);
    // Reopened: the room hears it is open again (and the level's pages start over).
    await h.call('POST', `/api/v1/incidents/${inc.id}/reopen`);
    await h.run();
    expect(h.pages('/room')).toEqual([
      'incident.triggered:-',
      'incident.acknowledged:-',
      'incident.resolved:-',
      'incident.triggered:-',
    ]);
    expect(h.pages('/push')).toEqual(['incident.triggered:-', 'incident.triggered:-']);
    await h.call('POST', `/api/v1/incidents/${inc.id}/resolve`);
    await h.run();
    // A level's channel target is told when the level runs, not about status changes.
    expect(h.pages('/push')).toEqual(['incident.triggered:-', 'incident.triggered:-']);
    const lanes = (await h.deliveries(inc.id)).map((d) => `${d.channel} ${d.event} ${d.lane} ${d.status}`);
    expect(lanes.sort()).toEqual([
      'ops-room incident.acknowledged normal delivered',
      'ops-room incident.resolved normal delivered',
      'ops-room incident.resolved normal delivered',
      'ops-room incident.triggered normal delivered',
      'ops-room incident.triggered normal delivered',
      'pager-hook incident.triggered page delivered',
      'pager-hook incident.triggered page delivered',
      'push-hook incident.triggered normal delivered',
      'push-hook incident.triggered normal delivered',
    ]);
  });

  it('an acknowledgement cancels pending pages to people, not the post telling a policy channel', async () => {
    await policy({ channels: ['ops-room'], levels: [{ targets: [{ user: ALICE }] }] });
    const inc = await h.incident({ title: 'Acked at once', policy: 'ops' });
    // Acknowledged before the worker ran: alice's page is not sent, the room still hears both events.
    await h.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`);
    await h.run();
    expect(h.pages()).toEqual([]);
    // Both posts are due at once and go out side by side.
    expect(h.pages('/room').sort()).toEqual(['incident.acknowledged:-', 'incident.triggered:-']);
    const cancelled = (await h.timeline(inc.id)).filter((e) => e.type === 'notification.cancelled');
    expect(cancelled.map((e) => e.message)).toEqual(['1 pending page(s) not sent']);
  });

  it('personal rules: push now, phone after 5 minutes unless acknowledged first (then cancelled)', async () => {
    await policy({ levels: [{ escalateAfterMinutes: 30, targets: [{ user: 'dave@example.test' }] }] });
    await h.contact('dave', 'push', 'push-hook');
    await h.contact('dave', 'phone', 'phone-hook');
    await h.rules('dave', [
      { contactMethod: 'push', delayMinutes: 0 },
      { contactMethod: 'phone', delayMinutes: 5 },
    ]);

    const ignored = await h.incident({ title: 'ignored', policy: 'ops' });
    await h.run();
    expect(h.pages('/push')).toEqual(['incident.triggered:dave@example.test']);
    expect(h.pages('/phone')).toEqual([]);
    await h.run(5 * MIN);
    expect(h.pages('/phone')).toEqual(['incident.triggered:dave@example.test']);
    const scheduled = (await ofType(ignored.id, 'notification.scheduled')).map((e) => e.message);
    expect(scheduled).toEqual(['dave@example.test via push-hook', 'dave@example.test via phone-hook in 5 min']);

    const acked = await h.incident({ title: 'acked', policy: 'ops' });
    await h.run();
    expect(h.pages('/push')).toHaveLength(2);
    await h.run(2 * MIN);
    await h.call('POST', `/api/v1/incidents/${acked.id}/acknowledge`);
    await h.run(10 * MIN);
    expect(h.pages('/phone')).toHaveLength(1);
    const cancelled = await ofType(acked.id, 'notification.cancelled');
    expect(cancelled.map((e) => e.message)).toEqual(['1 pending page(s) not sent']);
    const states = (await h.deliveries(acked.id)).map((d) => `${d.channel} ${d.status}`);
    expect(states).toEqual(['push-hook delivered', 'phone-hook cancelled']);
  });

  it('a paged user without contact methods is a notification.failed entry naming them', async () => {
    await policy({ levels: [{ targets: [{ user: 'dave@example.test' }, { user: ALICE }] }] });
    const inc = await h.incident({ title: 'Who is dave', policy: 'ops' });
    await h.run();
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    const failed = await ofType(inc.id, 'notification.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      actor: 'policy:ops',
      message: 'dave@example.test has no contact methods; nobody could reach them',
      details: { user: 'dave@example.test', via: 'user' },
    });
  });
});
