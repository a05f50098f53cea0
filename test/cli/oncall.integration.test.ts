import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run } from './helpers.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const PASSWORD = 'a long enough password';

// Daily handoffs at 09:00 New York time from 2026-03-01: Alice on odd days of March, Bob on even ones.
// 2026-03-08 is the spring-forward day (02:00 → 03:00), 2026-11-01 the fall-back one.
const PRIMARY = {
  apiVersion: 'mainstay/v1',
  kind: 'Schedule',
  metadata: { name: 'primary' },
  spec: {
    timeZone: 'America/New_York',
    layers: [
      {
        name: 'l1',
        rotation: { every: 1, unit: 'days', start: '2026-03-01', handoff: '09:00', participants: [ALICE, BOB] },
      },
    ],
  },
};
const SECONDARY = {
  apiVersion: 'mainstay/v1',
  kind: 'Schedule',
  metadata: { name: 'secondary' },
  spec: {
    timeZone: 'Europe/Berlin',
    layers: [{ name: 'weekly', rotation: { unit: 'weeks', start: '2026-01-05', participants: [BOB] } }],
  },
};

interface OnCall {
  schedule: string;
  timeZone: string;
  at: string;
  onCall: { user: string; start: string; end: string; source: string } | null;
  next: { user: string; start: string } | null;
}

describe.each(engines())('mainstay oncall CLI against a real server on %s', (engine) => {
  let server: TestServer;
  let env: Record<string, string>;
  let aliceEnv: Record<string, string>;
  const cli = (argv: string[], e = env) => run(argv, { env: e });
  const api = async <T>(method: string, path: string, body?: unknown, token = server.adminToken): Promise<T> => {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}: ${res.status}`).toBeLessThan(300);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    server = await startTestServer({ engine });
    env = { MAINSTAY_URL: server.url, MAINSTAY_TOKEN: server.adminToken };
    await api('POST', '/api/v1/users', {
      email: ALICE,
      name: 'Alice Adams',
      timeZone: 'Europe/Berlin',
      role: 'responder',
      password: PASSWORD,
    });
    await api('POST', '/api/v1/users', { email: BOB, name: 'Bob Brown', role: 'responder' });
    const applied = await api<{ applied: boolean }>('POST', '/api/v1/apply', {
      documents: [{ document: PRIMARY }, { document: SECONDARY }],
    });
    expect(applied.applied).toBe(true);
    const res = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ALICE, password: PASSWORD, name: 'alice-cli', scope: 'responder' }),
    });
    expect(res.status).toBe(201);
    aliceEnv = { MAINSTAY_URL: server.url, MAINSTAY_TOKEN: ((await res.json()) as { token: string }).token };
  });

  afterAll(async () => {
    await server?.close();
  });

  it.each([
    {
      name: 'the morning of the spring-forward day: the shift that started the day before lasts 23 h',
      at: '2026-03-08T07:30-05:00',
      shown: '2026-03-08 08:30-04:00 (12:30Z)',
      who: 'Alice Adams <alice@example.test>',
      shift: '2026-03-07 09:00-05:00 (14:00Z) → 2026-03-08 09:00-04:00 (13:00Z)',
      length: '23h',
      next: 'Bob Brown <bob@example.test> from 2026-03-08 09:00-04:00 (13:00Z) to 2026-03-09 09:00-04:00 (13:00Z) (24h)',
    },
    {
      name: 'after the 09:00 handoff on the spring-forward day: the next shift is 24 h again',
      at: '2026-03-08T13:00Z',
      shown: '2026-03-08 09:00-04:00 (13:00Z)',
      who: 'Bob Brown <bob@example.test>',
      shift: '2026-03-08 09:00-04:00 (13:00Z) → 2026-03-09 09:00-04:00 (13:00Z)',
      length: '24h',
      next: 'Alice Adams <alice@example.test> from 2026-03-09 09:00-04:00 (13:00Z) to 2026-03-10 09:00-04:00 (13:00Z) (24h)',
    },
    {
      name: 'the fall-back day: the shift across it lasts 25 h',
      at: '2026-11-01T01:30-04:00',
      shown: '2026-11-01 01:30-04:00 (05:30Z)',
      who: 'Alice Adams <alice@example.test>',
      shift: '2026-10-31 09:00-04:00 (13:00Z) → 2026-11-01 09:00-05:00 (14:00Z)',
      length: '25h',
      next: 'Bob Brown <bob@example.test> from 2026-11-01 09:00-05:00 (14:00Z) to 2026-11-02 09:00-05:00 (14:00Z) (24h)',
    },
  ])('oncall at: $name', async ({ at, shown, who, shift, length, next }) => {
    const r = await cli(['oncall', 'at', 'primary', at]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('schedule: primary (America/New_York)\n');
    expect(r.stdout).toMatch(new RegExp(`^at:\\s+${reEscape(shown)}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^on call:\\s+${reEscape(who)}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^shift:\\s+${reEscape(shift)}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^length:\\s+${length}$`, 'm'));
    expect(r.stdout).toMatch(/^source:\s+layer 0$/m);
    expect(r.stdout).toMatch(new RegExp(`^next:\\s+${reEscape(next)}$`, 'm'));
  });

  it('oncall at -o json answers what the API answers, in UTC', async () => {
    const r = await cli(['oncall', 'at', 'primary', '2026-03-08T07:30-05:00', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as OnCall;
    expect(o).toMatchObject({
      schedule: 'primary',
      timeZone: 'America/New_York',
      at: '2026-03-08T12:30:00.000Z',
      onCall: { user: ALICE, start: '2026-03-07T14:00:00.000Z', end: '2026-03-08T13:00:00.000Z', source: 'layer' },
      next: { user: BOB, start: '2026-03-08T13:00:00.000Z' },
    });
  });

  it('oncall at refuses a time without an offset, and sends nothing', async () => {
    const local = await cli(['oncall', 'at', 'primary', '2026-03-08T07:30']);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/^error: TIME must be an ISO 8601 time with an offset, not "2026-03-08T07:30"/m);
    expect(local.stderr).toMatch(/^hint: add the offset you mean, e.g. .* or 2026-03-08T07:30Z$/m);
    const junk = await cli(['oncall', 'at', 'primary', 'tomorrow']);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/^hint: e.g. 2026-03-08T07:30-05:00/m);
  });

  it('an unknown schedule is the server’s not_found with a hint in CLI terms', async () => {
    const r = await cli(['oncall', 'at', 'nope', '2026-03-08T07:30Z']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error (not_found): no schedule nope\nhint: mainstay oncall now lists the schedules\n');
  });

  it('oncall now lists every schedule with who is on call, until when, and who is next', async () => {
    const r = await cli(['oncall', 'now']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SCHEDULE\s+ZONE\s+ON CALL\s+UNTIL\s+NEXT$/);
    expect(lines[1]).toMatch(
      /^primary\s+America\/New_York\s+(Alice Adams|Bob Brown) <\S+>\s+\d{4}-\d\d-\d\d 09:00-0[45]:00 \(in \d+(h|m)[^)]*\)\s+(Alice Adams|Bob Brown) <\S+>$/,
    );
    // Bob is the only one on the weekly rotation: his shifts merge, so the next one comes after a gap.
    expect(lines[2]).toMatch(/^secondary\s+Europe\/Berlin\s+Bob Brown <bob@example.test>\s/);
    expect(lines).toHaveLength(3);
    const json = await cli(['oncall', 'now', '-o', 'json']);
    const all = JSON.parse(json.stdout) as OnCall[];
    expect(all.map((o) => o.schedule)).toEqual(['primary', 'secondary']);
  });

  it('oncall now SCHEDULE shows the whole current shift, and an override for now takes over', async () => {
    const before = JSON.parse((await cli(['oncall', 'now', 'primary', '-o', 'json'])).stdout) as OnCall;
    expect([ALICE, BOB]).toContain(before.onCall?.user);
    const other = before.onCall?.user === ALICE ? BOB : ALICE;
    const override = await cli(['oncall', 'override', 'primary', '--user', other, '--for', '1h', '--reason', 'cover']);
    expect(override.code, override.stderr).toBe(0);
    expect(override.stdout).toMatch(
      new RegExp(`^override \\S+ on primary: ${reEscape(other)} from \\S+ \\S+ to \\S+ \\S+ \\(1h\\)$`, 'm'),
    );
    expect(override.stdout).toMatch(new RegExp(`^on call then: .*<${reEscape(other)}>$`, 'm'));
    const now = await cli(['oncall', 'now', 'primary']);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toMatch(new RegExp(`^on call:\\s+.*<${reEscape(other)}>$`, 'm'));
    expect(now.stdout).toMatch(/^length:\s+1h$/m);
    expect(now.stdout).toMatch(/^source:\s+override$/m);
  });

  it('oncall override checks its flags before sending', async () => {
    const neither = await cli(['oncall', 'override', 'primary', '--user', BOB]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/give one of --end and --for/);
    const reversed = await cli([
      'oncall',
      'override',
      'primary',
      '--user',
      BOB,
      '--start',
      '2026-03-20T12:00-04:00',
      '--end',
      '2026-03-20T10:00-04:00',
    ]);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--end must be after --start/);
    const nobody = await cli(['oncall', 'override', 'primary', '--user', 'nobody@example.test', '--for', '1h']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^error \(\w+\): user: no user nobody@example.test$/m);
  });

  it('oncall timeline shows the final timeline in the zone, across the DST change, with overrides', async () => {
    const cover = await cli([
      'oncall',
      'override',
      'primary',
      '--user',
      ALICE,
      '--start',
      '2026-03-08T12:00-04:00',
      '--end',
      '2026-03-08T14:00-04:00',
      '--reason',
      'dentist',
    ]);
    expect(cover.code, cover.stderr).toBe(0);
    const r = await cli([
      'oncall',
      'timeline',
      'primary',
      '--from',
      '2026-03-07T00:00-05:00',
      '--to',
      '2026-03-09T00:00-04:00',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('primary: times in America/New_York\n');
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^START\s+END\s+LENGTH\s+ON CALL\s+SOURCE$/),
      expect.stringMatching(
        /^2026-03-07 00:00-05:00\s+2026-03-07 09:00-05:00\s+9h\s+Bob Brown <bob@example.test>\s+layer l1$/,
      ),
      expect.stringMatching(
        /^2026-03-07 09:00-05:00\s+2026-03-08 09:00-04:00\s+23h\s+Alice Adams <alice@example.test>\s+layer l1$/,
      ),
      expect.stringMatching(
        /^2026-03-08 09:00-04:00\s+2026-03-08 12:00-04:00\s+3h\s+Bob Brown <bob@example.test>\s+layer l1$/,
      ),
      expect.stringMatching(
        /^2026-03-08 12:00-04:00\s+2026-03-08 14:00-04:00\s+2h\s+Alice Adams <alice@example.test>\s+override \(dentist\)$/,
      ),
      expect.stringMatching(
        /^2026-03-08 14:00-04:00\s+2026-03-09 00:00-04:00\s+10h\s+Bob Brown <bob@example.test>\s+layer l1$/,
      ),
    ]);
    const json = await cli(['oncall', 'timeline', 'primary', '--from', '2026-03-07T00:00-05:00', '-o', 'json']);
    const t = JSON.parse(json.stdout) as { from: string; to: string; final: unknown[]; overrides: unknown[] };
    expect(t.from).toBe('2026-03-07T05:00:00.000Z');
    expect(t.to).toBe('2026-03-21T05:00:00.000Z');
    expect(t.overrides).toHaveLength(1);
  });

  it('oncall timeline shows the time before the first handoff as nobody', async () => {
    const r = await cli(['oncall', 'timeline', 'primary', '--from', '2026-02-28T00:00Z', '--to', '2026-03-02T00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2026-02-27 19:00-05:00\s+2026-03-01 09:00-05:00\s+38h\s+nobody\s+-$/m);
    expect(r.stdout).toMatch(/^2026-03-01 09:00-05:00\s+2026-03-01 19:00-05:00\s+10h\s+Alice Adams/m);
    const reversed = await cli([
      'oncall',
      'timeline',
      'primary',
      '--from',
      '2026-03-02T00:00Z',
      '--to',
      '2026-03-01T00:00Z',
    ]);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--to must be after --from/);
    const past = await cli(['oncall', 'timeline', 'primary', '--to', '2026-03-01T00:00Z']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/^hint: give --from as well$/m);
  });

  it('oncall shifts shows your own shifts in your time zone', async () => {
    const r = await cli(['oncall', 'shifts', '--from', '2026-03-07T00:00Z', '--to', '2026-03-09T00:00Z'], aliceEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('times in Europe/Berlin (your time zone)\n');
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^SCHEDULE\s+START\s+END\s+LENGTH\s+SOURCE$/),
      expect.stringMatching(/^primary\s+2026-03-07 15:00\+01:00\s+2026-03-08 14:00\+01:00\s+23h\s+layer 0$/),
      expect.stringMatching(/^primary\s+2026-03-08 17:00\+01:00\s+2026-03-08 19:00\+01:00\s+2h\s+override$/),
    ]);
    const none = await cli(['oncall', 'shifts', '--from', '2026-01-01T00:00Z', '--to', '2026-01-02T00:00Z'], aliceEnv);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('you have no shifts in that range\n');
  });

  it('oncall shifts --user shows someone else’s shifts across schedules, in their zone or --tz', async () => {
    const range = ['--from', '2026-03-08T00:00Z', '--to', '2026-03-09T00:00Z'];
    const r = await cli(['oncall', 'shifts', '--user', BOB, ...range]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('times in UTC (their time zone)\n');
    // Alice has the night and, from 12:00 to 14:00 New York time, her dentist cover.
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^SCHEDULE\s+START\s+END\s+LENGTH\s+SOURCE$/),
      expect.stringMatching(/^secondary\s+2026-03-08 00:00\+00:00\s+2026-03-09 00:00\+00:00\s+24h\s+layer 0$/),
      expect.stringMatching(/^primary\s+2026-03-08 13:00\+00:00\s+2026-03-08 16:00\+00:00\s+3h\s+layer 0$/),
      expect.stringMatching(/^primary\s+2026-03-08 18:00\+00:00\s+2026-03-09 00:00\+00:00\s+6h\s+layer 0$/),
    ]);
    const tz = await cli(['oncall', 'shifts', '--user', BOB, '--tz', 'America/New_York', ...range]);
    expect(tz.stderr).toBe('times in America/New_York\n');
    expect(tz.stdout).toMatch(/^secondary\s+2026-03-07 19:00-05:00\s+2026-03-08 20:00-04:00\s+24h\s+layer 0$/m);
    expect(tz.stdout).toMatch(/^primary\s+2026-03-08 09:00-04:00\s+2026-03-08 12:00-04:00\s+3h\s+layer 0$/m);
    const json = await cli(['oncall', 'shifts', '--user', BOB, ...range, '-o', 'json']);
    const shifts = JSON.parse(json.stdout) as Array<{ schedule: string; user: string }>;
    expect(shifts.map((s) => [s.schedule, s.user])).toEqual([
      ['secondary', BOB],
      ['primary', BOB],
      ['primary', BOB],
    ]);
    const badTz = await cli(['oncall', 'shifts', '--tz', 'Mars/Olympus']);
    expect(badTz.code).toBe(2);
    expect(badTz.stderr).toMatch(/--tz must be an IANA time zone/);
  });
});

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
