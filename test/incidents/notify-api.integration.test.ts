import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { doc, email, Harness, type Hook, startReceiver } from './fixture.js';

/** Contact methods and rules (own vs someone else's), "send test" for a contact method and for a channel. */
describe.each(engines())('contact methods and channel tests on %s', (engine) => {
  let hook: Hook;
  let failing: Hook;
  let h: Harness;
  let aliceToken = '';

  /** A request as alice (a responder), not as the admin. */
  const asAlice = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const r = await h.s.app.http.inject({
      method,
      url,
      headers: { authorization: `Bearer ${aliceToken}` },
      ...(payload ? { payload } : {}),
    });
    return { status: r.statusCode, body: r.body ? r.json() : undefined };
  };

  beforeAll(async () => {
    hook = await startReceiver();
    failing = await startReceiver(() => 500);
  });
  afterAll(async () => {
    await hook?.close();
    await failing?.close();
  });
  beforeEach(async () => {
    h = await new Harness(engine, hook, '2026-11-23T10:00:00Z').start();
    failing.got.length = 0;
    await h.user('alice');
    await h.user('bob');
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('Channel', 'broken-hook', { type: 'webhook', url: `${failing.url}/broken` }),
    ]);
    const login = await h.s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { email: email('alice'), password: 'a long test password', name: 'cli', scope: 'responder' },
    });
    expect(login.statusCode).toBe(201);
    aliceToken = login.json().token;
  });
  afterEach(() => h?.close());

  it('a person manages their own contact methods and rules through `me`', async () => {
    const created = await asAlice('POST', '/api/v1/users/me/contact-methods', { name: 'pager', channel: 'pager-hook' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      userId: h.users.alice,
      name: 'pager',
      channel: 'pager-hook',
      channelType: 'webhook',
      address: null,
      createdAt: '2026-11-23T10:00:00.000Z',
    });
    const dup = await asAlice('POST', '/api/v1/users/me/contact-methods', { name: 'pager', channel: 'pager-hook' });
    expect(dup.status).toBe(400);
    expect(dup.body.error.fields).toEqual([{ path: 'name', message: 'already used' }]);
    const rules = await asAlice('PUT', '/api/v1/users/me/notification-rules', {
      rules: [{ contactMethod: 'pager', urgency: 'high', delayMinutes: 0 }],
    });
    expect(rules.status).toBe(200);
    expect(rules.body).toMatchObject([{ urgency: 'high', delayMinutes: 0, contactMethod: 'pager' }]);
    expect((await asAlice('GET', `/api/v1/users/${h.users.alice}/contact-methods`)).body).toHaveLength(1);
    // Removing the contact method removes the rules that use it.
    expect((await asAlice('DELETE', '/api/v1/users/me/contact-methods/pager')).status).toBe(204);
    expect((await asAlice('GET', '/api/v1/users/me/notification-rules')).body).toEqual([]);
    expect((await asAlice('DELETE', '/api/v1/users/me/contact-methods/pager')).status).toBe(404);
  });

  it('replacing the rules several times at once leaves one of the sets, never their union', async () => {
    expect(
      (await asAlice('POST', '/api/v1/users/me/contact-methods', { name: 'pager', channel: 'pager-hook' })).status,
    ).toBe(201);
    const sets = [0, 5, 10, 15, 20, 25].map((d) => ({
      rules: [
        { contactMethod: 'pager', urgency: 'high', delayMinutes: d },
        { contactMethod: 'pager', urgency: 'low', delayMinutes: d + 1 },
      ],
    }));
    const puts = await Promise.all(sets.map((b) => asAlice('PUT', '/api/v1/users/me/notification-rules', b)));
    expect(puts.map((r) => r.status)).toEqual(Array(sets.length).fill(200));
    const now = (await asAlice('GET', '/api/v1/users/me/notification-rules')).body as { delayMinutes: number }[];
    expect(now).toHaveLength(2);
    expect(now[1]!.delayMinutes).toBe(now[0]!.delayMinutes + 1);
  });

  it("a non-admin may neither see nor change another person's contact methods (403); an admin may", async () => {
    const bob = h.users.bob;
    const bobs = await h.contact('bob', 'pager', 'pager-hook');
    const attempts = [
      await asAlice('GET', `/api/v1/users/${bob}/contact-methods`),
      await asAlice('POST', `/api/v1/users/${bob}/contact-methods`, { name: 'mine', channel: 'pager-hook' }),
      await asAlice('DELETE', `/api/v1/users/${bob}/contact-methods/pager`),
      await asAlice('POST', `/api/v1/users/${bob}/contact-methods/pager/test`),
      await asAlice('GET', `/api/v1/users/${bob}/notification-rules`),
      await asAlice('PUT', `/api/v1/users/${bob}/notification-rules`, { rules: [] }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(attempts[0]?.body.error.message).toBe("only an admin may see another person's contact methods");
    expect(attempts[1]?.body.error.message).toBe("only an admin may change another person's contact methods");
    expect(hook.got).toHaveLength(0);
    // Nothing changed for bob; the admin sees and changes his methods.
    const list = await h.call('GET', `/api/v1/users/${bob}/contact-methods`);
    expect(list.body).toEqual([bobs]);
    expect((await h.call('DELETE', `/api/v1/users/${bob}/contact-methods/pager`)).status).toBe(204);
    expect((await h.call('GET', '/api/v1/users/nobody/contact-methods')).status).toBe(404);
  });

  it('send test to a contact method reaches the receiver and returns its answer', async () => {
    await asAlice('POST', '/api/v1/users/me/contact-methods', { name: 'pager', channel: 'pager-hook' });
    const r = await asAlice('POST', '/api/v1/users/me/contact-methods/pager/test');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, statusCode: 200, response: 'ok' });
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]).toMatchObject({
      path: '/page',
      body: { event: 'test', title: 'Mainstay test notification', incident: null, recipient: null },
    });
    expect(hook.got[0]?.body.text).toContain('This is a test of the pager-hook channel');
    expect(hook.got[0]?.headers['x-mainstay-event']).toBe('test');
    expect((await asAlice('POST', '/api/v1/users/me/contact-methods/nope/test')).status).toBe(404);
  });

  it("channel send-test returns the channel's answer: 200 ok, 500 with the error; editors only", async () => {
    const ok = await h.call('POST', '/api/v1/channels/pager-hook/test', {});
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, statusCode: 200 });
    expect(ok.body.error).toBeUndefined();
    expect(hook.got.map((g) => g.body.event)).toEqual(['test']);

    const bad = await h.call('POST', '/api/v1/channels/broken-hook/test', {});
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({
      ok: false,
      statusCode: 500,
      error: 'HTTP 500 Internal Server Error: ok',
      response: 'ok',
    });
    // A test is sent once, never queued for a retry.
    await h.run(60_000);
    expect(failing.got).toHaveLength(1);

    expect((await h.call('POST', '/api/v1/channels/nope/test', {})).status).toBe(404);
    expect((await asAlice('POST', '/api/v1/channels/pager-hook/test', {})).status).toBe(403);
    const audit = await h.call('GET', '/api/v1/audit?action=channels.test');
    expect(audit.status).toBe(200);
  });

  it('a Channel that carries contact methods cannot be deleted (409)', async () => {
    await h.contact('bob', 'pager', 'pager-hook');
    const r = await h.call('DELETE', '/api/v1/resources/Channel/pager-hook');
    expect(r.status).toBe(409);
    expect(r.body.error.message).toBe('channel pager-hook carries 1 contact method(s)');
    expect((await h.call('GET', '/api/v1/resources/Channel/pager-hook')).status).toBe(200);
  });

  it('a Channel an escalation policy names cannot be deleted (409), as a level target or a policy channel', async () => {
    await h.applyOk([
      doc('EscalationPolicy', 'tell-room', {
        levels: [{ targets: [{ user: email('bob') }] }],
        channels: ['broken-hook'],
      }),
      doc('EscalationPolicy', 'page-room', { levels: [{ targets: [{ channel: 'pager-hook' }] }] }),
    ]);
    for (const [channel, policy] of [
      ['broken-hook', 'tell-room'],
      ['pager-hook', 'page-room'],
    ]) {
      const r = await h.call('DELETE', `/api/v1/resources/Channel/${channel}`);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toBe(`channel ${channel} is used by escalation policy ${policy}`);
    }
  });

  it("contact methods are reached by the person's id, email or `me`", async () => {
    const byEmail = await h.call('POST', `/api/v1/users/${email('bob')}/contact-methods`, {
      name: 'pager',
      channel: 'pager-hook',
    });
    expect(byEmail.status).toBe(201);
    expect(byEmail.body.userId).toBe(h.users.bob);
    const byId = await h.call('GET', `/api/v1/users/${h.users.bob}/contact-methods`);
    expect(byId.body.map((c: { name: string }) => c.name)).toEqual(['pager']);
    expect((await h.call('GET', '/api/v1/users/nobody@example.test/contact-methods')).status).toBe(404);
  });
});
