import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { doc, email, Harness, type Hook, startReceiver } from './fixture.js';

const SCHEDULE = {
  timeZone: 'Europe/Berlin',
  layers: [
    {
      name: 'main',
      rotation: { unit: 'days', start: '2026-11-01', handoff: '09:00', participants: ['alice@example.test'] },
    },
  ],
};
const SMS = {
  type: 'sms',
  baseUrl: 'http://127.0.0.1:9',
  accountSid: `AC${'0'.repeat(32)}`,
  authTokenSecret: 'twilio-token',
  from: '+14155550100',
};

/** Bad input gets a 400 that names the field, and nothing is written. */
describe.each(engines())('on-call, notify and incidents bad input on %s', (engine) => {
  let hook: Hook;
  let h: Harness;
  const fields = (body: { error: { fields?: { path: string }[] } }) => (body.error.fields ?? []).map((f) => f.path);
  const exists = async (kind: string, name: string) =>
    (await h.call('GET', `/api/v1/resources/${kind}/${name}`)).status === 200;

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    h = await new Harness(engine, hook, '2026-11-23T10:00:00Z').start();
    await h.user('alice');
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('Channel', 'sms', SMS),
      doc('Schedule', 'primary', SCHEDULE),
    ]);
  });
  afterEach(() => h?.close());

  it('an escalation level without targets is a 400 naming levels.0.targets; the policy is not created', async () => {
    const r = await h.apply([doc('EscalationPolicy', 'ops', { levels: [{ escalateAfterMinutes: 5, targets: [] }] })]);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_resource');
    expect(fields(r.body)).toEqual(['documents.0.spec.levels.0.targets']);
    expect(r.body.error.message).toContain('an escalation level needs at least one target');
    expect(await exists('EscalationPolicy', 'ops')).toBe(false);
  });

  it('a rotation without participants is a 400 naming layers.0.rotation.participants', async () => {
    const spec = structuredClone(SCHEDULE);
    (spec.layers[0] as { rotation: { participants: string[] } }).rotation.participants = [];
    const r = await h.apply([doc('Schedule', 'empty', spec)]);
    expect(r.status).toBe(400);
    expect(fields(r.body)).toEqual(['documents.0.spec.layers.0.rotation.participants']);
    expect(r.body.error.message).toContain('a rotation needs at least one participant');
    expect(await exists('Schedule', 'empty')).toBe(false);
  });

  it('a rotation participant who is not a user is a 400 naming the participant', async () => {
    const spec = structuredClone(SCHEDULE);
    (spec.layers[0] as { rotation: { participants: string[] } }).rotation.participants.push('ghost@example.test');
    const r = await h.apply([doc('Schedule', 'ghostly', spec)]);
    expect(r.status).toBe(400);
    expect(r.body.error.fields).toEqual([
      { path: 'documents.0.spec.layers.0.rotation.participants.1', message: 'no user ghost@example.test' },
    ]);
    expect(await exists('Schedule', 'ghostly')).toBe(false);
  });

  it('an unknown time zone is a 400 naming timeZone', async () => {
    const r = await h.apply([doc('Schedule', 'mars', { ...SCHEDULE, timeZone: 'Mars/Olympus_Mons' })]);
    expect(r.status).toBe(400);
    expect(fields(r.body)).toEqual(['documents.0.spec.timeZone']);
    expect(r.body.error.message).toContain('an IANA time zone');
    expect(await exists('Schedule', 'mars')).toBe(false);
  });

  it('an override ending before it starts is a 400 naming end; an unknown user names user; none is stored', async () => {
    const backwards = await h.call('POST', '/api/v1/schedules/primary/overrides', {
      user: email('alice'),
      start: '2026-11-24T10:00:00Z',
      end: '2026-11-24T09:00:00Z',
    });
    expect(backwards.status).toBe(400);
    expect(fields(backwards.body)).toEqual(['end']);
    const nobody = await h.call('POST', '/api/v1/schedules/primary/overrides', {
      user: email('nobody'),
      start: '2026-11-24T09:00:00Z',
      end: '2026-11-24T10:00:00Z',
    });
    expect(nobody.status).toBe(400);
    expect(fields(nobody.body)).toEqual(['user']);
    expect(nobody.body.error.message).toContain('no user nobody@example.test');
    const t = await h.call(
      'GET',
      '/api/v1/schedules/primary/timeline?from=2026-11-23T00:00:00Z&to=2026-11-26T00:00:00Z',
    );
    expect(t.body.overrides).toEqual([]);
  });

  it('a contact address that fails its channel’s validation names address; an unknown channel names channel', async () => {
    const alice = h.users.alice;
    const bad = await h.call('POST', `/api/v1/users/${alice}/contact-methods`, {
      name: 'phone',
      channel: 'sms',
      address: 'not-a-number',
    });
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['address']);
    expect(bad.body.error.message).toContain('not an E.164 phone number');
    const unknown = await h.call('POST', `/api/v1/users/${alice}/contact-methods`, { name: 'x', channel: 'nope' });
    expect(unknown.status).toBe(400);
    expect(fields(unknown.body)).toEqual(['channel']);
    expect((await h.call('GET', `/api/v1/users/${alice}/contact-methods`)).body).toEqual([]);
  });

  it('rules naming an unknown contact method are a 400 naming the rule, and the old rules stay', async () => {
    await h.contact('alice', 'hook', 'pager-hook');
    const before = await h.rules('alice', [{ contactMethod: 'hook', delayMinutes: 0 }]);
    const r = await h.call('PUT', `/api/v1/users/${h.users.alice}/notification-rules`, {
      rules: [
        { contactMethod: 'hook', delayMinutes: 0 },
        { contactMethod: 'pigeon', delayMinutes: 5 },
      ],
    });
    expect(r.status).toBe(400);
    expect(fields(r.body)).toEqual(['rules.1.contactMethod']);
    expect((await h.call('GET', `/api/v1/users/${h.users.alice}/notification-rules`)).body).toEqual(before);
  });

  it('an incident without a title is a 400 naming title, and no incident exists', async () => {
    const r = await h.call('POST', '/api/v1/incidents', { severity: 'SEV2' });
    expect(r.status).toBe(400);
    expect(fields(r.body)).toEqual(['title']);
    const blank = await h.call('POST', '/api/v1/incidents', { title: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.fields).toEqual([{ path: 'title', message: 'an incident needs a title' }]);
    const unknownPolicy = await h.call('POST', '/api/v1/incidents', { title: 'x', policy: 'nope' });
    expect(unknownPolicy.status).toBe(400);
    expect(fields(unknownPolicy.body)).toEqual(['policy']);
    expect((await h.call('GET', '/api/v1/incidents')).body.total).toBe(0);
  });

  it.each([
    ['schedule', { schedule: 'nope' }, 'documents.0.spec.levels.0.targets.0.schedule', 'no schedule nope'],
    ['user', { user: 'ghost@example.test' }, 'documents.0.spec.levels.0.targets.0.user', 'no user ghost@example.test'],
    ['channel', { channel: 'nope' }, 'documents.0.spec.levels.0.targets.0.channel', 'no channel nope'],
  ])('a policy paging an unknown %s names the path, and nothing is applied', async (_what, target, path, message) => {
    const r = await h.apply([
      doc('EscalationPolicy', 'ops', { levels: [{ targets: [target] }] }),
      doc('Schedule', 'second', SCHEDULE),
    ]);
    expect(r.status).toBe(400);
    expect(r.body.error.fields).toEqual([{ path, message }]);
    expect(await exists('EscalationPolicy', 'ops')).toBe(false);
    // All or nothing: the valid Schedule in the same apply was not created either.
    expect(await exists('Schedule', 'second')).toBe(false);
  });

  it('a policy naming an unknown channel in channels names channels.0', async () => {
    const r = await h.apply([
      doc('EscalationPolicy', 'ops', { levels: [{ targets: [{ user: email('alice') }] }], channels: ['nope'] }),
    ]);
    expect(r.status).toBe(400);
    expect(fields(r.body)).toEqual(['documents.0.spec.channels.0']);
  });

  it('deleting a Schedule that a policy pages is a 409, and the schedule stays', async () => {
    await h.applyOk([doc('EscalationPolicy', 'ops', { levels: [{ targets: [{ schedule: 'primary' }] }] })]);
    const r = await h.call('DELETE', '/api/v1/resources/Schedule/primary');
    expect(r.status).toBe(409);
    expect(r.body.error.message).toBe('escalation policy ops pages schedule primary');
    expect(await exists('Schedule', 'primary')).toBe(true);
    // Once the policy is gone the schedule can go.
    expect((await h.call('DELETE', '/api/v1/resources/EscalationPolicy/ops')).status).toBe(204);
    expect((await h.call('DELETE', '/api/v1/resources/Schedule/primary')).status).toBe(204);
  });
});
