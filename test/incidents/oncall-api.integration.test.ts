import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { doc, email, Harness, type Hook, startReceiver } from './fixture.js';

const DAY = 86_400_000;

/**
 * The on-call API on a fake clock, in the week Berlin enters DST (Sunday 2027-03-28, 02:00 CET →
 * 03:00 CEST). `primary` hands over daily at 09:00 Berlin from 2027-03-01: alice on even days, bob
 * on odd ones, so Monday 2027-03-22 is bob's and Saturday 2027-03-27 (a 23-hour shift) is alice's.
 */
describe.each(engines())('on-call API on %s', (engine) => {
  let hook: Hook;
  let h: Harness;
  const who = async (at: string, schedule = 'primary') => {
    const r = await h.call('GET', `/api/v1/schedules/${schedule}/oncall?at=${encodeURIComponent(at)}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const shifts = (list: { user: string; start: string; end: string; source: string }[]) =>
    list.map((s) => `${s.user.split('@')[0]} ${s.start.slice(5, 16)}–${s.end.slice(5, 16)} ${s.source}`);

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    h = await new Harness(engine, hook, '2027-03-22T10:00:00Z').start();
    for (const name of ['alice', 'bob', 'carol', 'dave']) await h.user(name);
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('Schedule', 'primary', {
        timeZone: 'Europe/Berlin',
        layers: [
          {
            name: 'daily',
            rotation: {
              unit: 'days',
              start: '2027-03-01',
              handoff: '09:00',
              participants: [email('alice'), email('bob')],
            },
          },
        ],
      }),
      doc('Schedule', 'secondary', {
        timeZone: 'UTC',
        layers: [
          {
            name: 'all',
            rotation: { unit: 'weeks', start: '2027-03-01', handoff: '00:00', participants: [email('carol')] },
          },
        ],
      }),
      doc('EscalationPolicy', 'ops', { levels: [{ targets: [{ schedule: 'primary' }] }] }),
    ]);
    for (const name of ['alice', 'bob', 'carol']) await h.contact(name, 'pager', 'pager-hook');
  });
  afterEach(() => h?.close());

  it('GET /api/v1/oncall lists who is on call now on every schedule, paged', async () => {
    const r = await h.call('GET', '/api/v1/oncall');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(
      r.body.items.map((i: { schedule: string; onCall: { user: string } }) => [i.schedule, i.onCall.user]),
    ).toEqual([
      ['primary', email('bob')],
      ['secondary', email('carol')],
    ]);
    expect(r.body.items[0]).toMatchObject({
      timeZone: 'Europe/Berlin',
      at: '2027-03-22T10:00:00.000Z',
      onCall: {
        name: 'bob',
        start: '2027-03-22T08:00:00.000Z',
        end: '2027-03-23T08:00:00.000Z',
        source: 'layer',
        layer: 0,
      },
      next: { user: email('alice'), start: '2027-03-23T08:00:00.000Z' },
    });
    const second = await h.call('GET', '/api/v1/oncall?limit=1&offset=1&at=2027-03-23T09:00:00Z');
    expect(second.body.items.map((i: { schedule: string }) => i.schedule)).toEqual(['secondary']);
    expect(second.body.items[0].at).toBe('2027-03-23T09:00:00.000Z');
  });

  it('oncall?at= takes an instant with an offset; a bare local time is a 400 naming at', async () => {
    expect((await who('2027-03-23T08:59:59+01:00')).onCall.user).toBe(email('bob'));
    expect((await who('2027-03-23T09:00+01:00')).onCall.user).toBe(email('alice'));
    expect((await who('2027-03-23T08:00:00Z')).onCall.user).toBe(email('alice'));
    expect((await who(String(Date.parse('2027-03-23T07:59:59Z')))).onCall.user).toBe(email('bob'));
    // After the change the handoff is still 09:00 local, now +02:00.
    expect((await who('2027-03-29T08:59+02:00')).onCall.user).toBe(email('bob'));
    expect((await who('2027-03-29T09:00+02:00')).onCall.user).toBe(email('alice'));
    for (const bare of ['2027-03-23T09:00', '2027-03-23', 'tomorrow']) {
      const r = await h.call('GET', `/api/v1/schedules/primary/oncall?at=${bare}`);
      expect(r.status, bare).toBe(400);
      expect(r.body.error.fields[0].path).toBe('at');
    }
    expect((await h.call('GET', '/api/v1/schedules/nope/oncall')).status).toBe(404);
  });

  it('an override spanning the DST change decides who is paged, as the API says', async () => {
    const o = await h.call('POST', '/api/v1/schedules/primary/overrides', {
      user: email('carol'),
      start: '2027-03-27T22:00+01:00',
      end: '2027-03-28T06:00+02:00',
      reason: 'alice travels',
    });
    expect(o.status).toBe(201);
    // 8 wall-clock hours but 7 real ones: 21:00Z to 04:00Z.
    expect(o.body).toMatchObject({ start: '2027-03-27T21:00:00.000Z', end: '2027-03-28T04:00:00.000Z' });
    expect((await who('2027-03-28T03:30+02:00')).onCall).toMatchObject({ user: email('carol'), source: 'override' });
    expect((await who('2027-03-28T06:00+02:00')).onCall).toMatchObject({ user: email('alice'), source: 'layer' });

    const t = await h.call(
      'GET',
      '/api/v1/schedules/primary/timeline?from=2027-03-27T00:00:00Z&to=2027-03-29T00:00:00Z',
    );
    expect(shifts(t.body.final)).toEqual([
      'bob 03-27T00:00–03-27T08:00 layer',
      'alice 03-27T08:00–03-27T21:00 layer',
      'carol 03-27T21:00–03-28T04:00 override',
      'alice 03-28T04:00–03-28T07:00 layer',
      'bob 03-28T07:00–03-29T00:00 layer',
    ]);

    // The pager asks the same code: during the override carol is paged, after it alice.
    await h.runAt('2027-03-28T01:30:00Z');
    await h.incident({ title: 'night', policy: 'ops' });
    await h.runAt('2027-03-28T05:00:00Z');
    await h.incident({ title: 'morning', policy: 'ops' });
    await h.run();
    expect(h.pages()).toEqual([`incident.triggered:${email('carol')}`, `incident.triggered:${email('alice')}`]);

    expect((await h.call('DELETE', `/api/v1/schedules/primary/overrides/${o.body.id}`)).status).toBe(204);
    expect((await who('2027-03-28T03:30+02:00')).onCall.user).toBe(email('alice'));
  });

  it('the timeline shows each layer, the overrides and the swaps beside the final result', async () => {
    await h.call('POST', '/api/v1/schedules/primary/overrides', {
      user: email('carol'),
      start: '2027-03-22T12:00:00Z',
      end: '2027-03-22T14:00:00Z',
    });
    const swap = await h.call('POST', '/api/v1/schedules/primary/swaps', {
      from: email('alice'),
      to: email('dave'),
      start: '2027-03-23T08:00:00Z',
      end: '2027-03-23T20:00:00Z',
      reason: 'dentist',
    });
    expect(swap.status).toBe(201);
    const t = await h.call(
      'GET',
      '/api/v1/schedules/primary/timeline?from=2027-03-22T08:00:00Z&to=2027-03-24T08:00:00Z',
    );
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ schedule: 'primary', timeZone: 'Europe/Berlin', from: '2027-03-22T08:00:00.000Z' });
    expect(t.body.layers.map((l: { name: string; shifts: never[] }) => [l.name, shifts(l.shifts)])).toEqual([
      ['daily', ['bob 03-22T08:00–03-23T08:00 layer', 'alice 03-23T08:00–03-24T08:00 layer']],
    ]);
    expect(shifts(t.body.final)).toEqual([
      'bob 03-22T08:00–03-22T12:00 layer',
      'carol 03-22T12:00–03-22T14:00 override',
      'bob 03-22T14:00–03-23T08:00 layer',
      'dave 03-23T08:00–03-23T20:00 swap',
      'alice 03-23T20:00–03-24T08:00 layer',
    ]);
    expect(t.body.overrides).toMatchObject([{ user: email('carol'), start: '2027-03-22T12:00:00.000Z', reason: '' }]);
    expect(t.body.swaps).toMatchObject([{ from: email('alice'), to: email('dave'), reason: 'dentist' }]);
  });

  it('a two-way swap trades two shifts; removing one leg restores that shift only', async () => {
    const r = await h.call('POST', '/api/v1/schedules/primary/swaps', {
      from: email('alice'),
      to: email('bob'),
      start: '2027-03-23T09:00+01:00',
      end: '2027-03-24T09:00+01:00',
      returnStart: '2027-03-24T09:00+01:00',
      returnEnd: '2027-03-25T09:00+01:00',
    });
    expect(r.status).toBe(201);
    expect(r.body.map((l: { from: string; to: string }) => `${l.from}→${l.to}`)).toEqual([
      `${email('alice')}→${email('bob')}`,
      `${email('bob')}→${email('alice')}`,
    ]);
    expect((await who('2027-03-23T12:00+01:00')).onCall).toMatchObject({ user: email('bob'), source: 'swap' });
    expect((await who('2027-03-24T12:00+01:00')).onCall).toMatchObject({ user: email('alice'), source: 'swap' });
    expect((await h.call('DELETE', `/api/v1/schedules/primary/swaps/${r.body[1].id}`)).status).toBe(204);
    expect((await who('2027-03-24T12:00+01:00')).onCall).toMatchObject({ user: email('bob'), source: 'layer' });
    expect((await who('2027-03-23T12:00+01:00')).onCall.user).toBe(email('bob'));
    const self = await h.call('POST', '/api/v1/schedules/primary/swaps', {
      from: email('alice'),
      to: email('alice'),
      start: '2027-03-23T09:00+01:00',
      end: '2027-03-24T09:00+01:00',
    });
    expect(self.status).toBe(400);
    expect(self.body.error.fields[0].path).toBe('to');
  });

  it('/users/me/shifts lists the signed-in person’s shifts across schedules', async () => {
    const login = await h.s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { email: email('carol'), password: 'a long test password', name: 'cli', scope: 'responder' },
    });
    expect(login.statusCode).toBe(201);
    await h.call('POST', '/api/v1/schedules/primary/overrides', {
      user: email('carol'),
      start: '2027-03-22T12:00:00Z',
      end: '2027-03-22T14:00:00Z',
    });
    const r = await h.s.app.http.inject({
      method: 'GET',
      url: '/api/v1/users/me/shifts?from=2027-03-22T00:00:00Z&to=2027-03-29T00:00:00Z',
      headers: { authorization: `Bearer ${login.json().token}` },
    });
    expect(r.statusCode).toBe(200);
    expect(
      r.json().map((s: { schedule: string; start: string; end: string }) => `${s.schedule} ${s.start}–${s.end}`),
    ).toEqual([
      'secondary 2027-03-22T00:00:00.000Z–2027-03-29T00:00:00.000Z',
      'primary 2027-03-22T12:00:00.000Z–2027-03-22T14:00:00.000Z',
    ]);
    const bobs = await h.call(
      'GET',
      `/api/v1/users/${email('bob')}/shifts?from=2027-03-22T00:00:00Z&to=2027-03-25T00:00:00Z`,
    );
    // Carol's override cuts bob's Monday in two.
    expect(
      bobs.body.map((s: { start: string; end: string }) => `${s.start.slice(5, 16)}–${s.end.slice(5, 16)}`),
    ).toEqual(['03-22T08:00–03-22T12:00', '03-22T14:00–03-23T08:00', '03-24T08:00–03-25T00:00']);
    // The same by the person's id; an unknown person is a 404, not an empty list.
    const byId = await h.call(
      'GET',
      `/api/v1/users/${h.users.bob}/shifts?from=2027-03-22T00:00:00Z&to=2027-03-25T00:00:00Z`,
    );
    expect(byId.body).toEqual(bobs.body);
    expect((await h.call('GET', '/api/v1/users/nobody@example.test/shifts')).status).toBe(404);
  });

  it('the iCalendar feed is text/calendar with the final shifts; rotating it retires the old URL', async () => {
    expect((await h.call('GET', '/api/v1/schedules/primary/feed')).body).toEqual({ url: null });
    const created = await h.call('POST', '/api/v1/schedules/primary/feed');
    expect(created.status).toBe(200);
    const url = new URL(created.body.url);
    expect(url.pathname).toMatch(/^\/ical\/[A-Za-z0-9_-]+\.ics$/);
    expect((await h.call('GET', '/api/v1/schedules/primary/feed')).body.url).toBe(created.body.url);

    const feed = await h.s.app.http.inject({ method: 'GET', url: url.pathname });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const text = feed.body;
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text).toContain('X-WR-CALNAME:On call: primary');
    // 30 days back and 90 ahead, as the final timeline of the same window.
    const now = h.clock.now();
    const window = await h.call(
      'GET',
      `/api/v1/schedules/primary/timeline?from=${now - 30 * DAY}&to=${now + 90 * DAY}`,
    );
    const events = text.split('BEGIN:VEVENT').length - 1;
    expect(events).toBe(window.body.final.length);
    // Alice's Saturday across the change is 23 hours.
    expect(text).toContain('DTSTART:20270327T080000Z\r\nDTEND:20270328T070000Z\r\nSUMMARY:On call: alice\r\n');

    const rotated = await h.call('POST', '/api/v1/schedules/primary/feed');
    expect(rotated.body.url).not.toBe(created.body.url);
    expect((await h.s.app.http.inject({ method: 'GET', url: url.pathname })).statusCode).toBe(404);
    expect((await h.s.app.http.inject({ method: 'GET', url: new URL(rotated.body.url).pathname })).statusCode).toBe(
      200,
    );
    expect((await h.s.app.http.inject({ method: 'GET', url: '/ical/not-a-feed.ics' })).statusCode).toBe(404);
    expect((await h.call('POST', '/api/v1/schedules/nope/feed')).status).toBe(404);
  });

  it('rotating one feed many times at once leaves exactly one working URL (no 500 on PostgreSQL)', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => h.call('POST', '/api/v1/me/feed')));
    expect(all.map((r) => r.status)).toEqual(Array(8).fill(200));
    const current = (await h.call('GET', '/api/v1/me/feed')).body.url as string;
    const answers = await Promise.all(
      all.map((r) => h.s.app.http.inject({ method: 'GET', url: new URL(r.body.url).pathname })),
    );
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(all.map((r) => r.body.url)).toContain(current);
  });

  it('deleting a schedule retires its feed: a new schedule of the same name does not revive the old URL', async () => {
    const feed = new URL((await h.call('POST', '/api/v1/schedules/secondary/feed')).body.url).pathname;
    expect((await h.s.app.http.inject({ method: 'GET', url: feed })).statusCode).toBe(200);
    expect((await h.call('DELETE', '/api/v1/resources/Schedule/secondary')).status).toBe(204);
    expect((await h.s.app.http.inject({ method: 'GET', url: feed })).statusCode).toBe(404);
    await h.applyOk([
      doc('Schedule', 'secondary', {
        timeZone: 'UTC',
        layers: [{ name: 'all', rotation: { unit: 'weeks', start: '2027-03-01', participants: [email('bob')] } }],
      }),
    ]);
    expect((await h.s.app.http.inject({ method: 'GET', url: feed })).statusCode).toBe(404);
    expect((await h.call('GET', '/api/v1/schedules/secondary/feed')).body).toEqual({ url: null });
  });

  it('a policy preview shows who each level would page, without advancing a round-robin', async () => {
    const team = await h.call('POST', '/api/v1/teams', { name: 'sre' });
    for (const name of ['bob', 'alice'])
      await h.call('PUT', `/api/v1/teams/${team.body.id}/members/${h.users[name]}`, { role: 'responder' });
    await h.call('PATCH', `/api/v1/users/${h.users.dave}`, { disabled: true });
    await h.applyOk([
      doc('EscalationPolicy', 'rr', {
        levels: [
          { escalateAfterMinutes: 10, targets: [{ schedule: 'primary' }, { channel: 'pager-hook' }] },
          { targets: [{ team: 'sre', roundRobin: true }, { user: email('dave') }] },
        ],
      }),
    ]);
    const preview = async () =>
      (await h.call('GET', '/api/v1/escalation-policies/rr/preview?at=2027-03-23T12:00%2B01:00')).body;
    const first = await preview();
    expect(first).toEqual({
      policy: 'rr',
      at: '2027-03-23T11:00:00.000Z',
      levels: [
        {
          level: 0,
          escalateAfterMinutes: 10,
          users: [{ email: email('alice'), name: 'alice', via: 'schedule:primary' }],
          channels: ['pager-hook'],
          unreached: [],
        },
        {
          level: 1,
          escalateAfterMinutes: 30,
          users: [
            { email: email('alice'), name: 'alice', via: 'team:sre' },
            { email: email('bob'), name: 'bob', via: 'team:sre' },
          ],
          channels: [],
          unreached: [`user: ${email('dave')} is not an active user`],
        },
      ],
    });
    expect(await preview()).toEqual(first);
    // The round-robin still starts with its first member when an incident reaches that level.
    await h.incident({ title: 'rr', policy: 'rr' });
    await h.run(10 * 60_000);
    expect(h.pages().sort()).toEqual([
      `incident.escalated:${email('alice')}`,
      'incident.triggered:-',
      `incident.triggered:${email('bob')}`,
    ]);
    expect((await h.call('GET', '/api/v1/escalation-policies/nope/preview')).status).toBe(404);
  });
});
