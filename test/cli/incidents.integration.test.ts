import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run } from './helpers.js';

interface Incident {
  id: string;
  number: number;
  title: string;
  status: string;
  severity: string;
  urgency: string;
  service: string | null;
  ttaSeconds: number | null;
}

describe.each(engines())('mainstay incidents, ack and resolve CLI against a real server on %s', (engine) => {
  let server: TestServer;
  let env: Record<string, string>;
  const cli = (argv: string[]) => run(argv, { env });
  const numbers: Record<string, number> = {};
  const ls = async (...args: string[]) => {
    const r = await cli(['incidents', 'ls', ...args, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as Incident[]).map((i) => i.title).sort();
  };

  beforeAll(async () => {
    server = await startTestServer({ engine });
    env = { MAINSTAY_URL: server.url, MAINSTAY_TOKEN: server.adminToken };
  });

  afterAll(async () => {
    await server?.close();
  });

  it('incidents create opens incidents and says who is paged', async () => {
    const db = await cli(['incidents', 'create', '--title', 'Database down', '--severity', 'sev1', '--service', 'db']);
    expect(db.code, db.stderr).toBe(0);
    expect(db.stdout).toMatch(/^#(\d+) opened \(Database down\): SEV1, high urgency, nobody paged \(no --policy\)$/m);
    numbers.db = Number(/^#(\d+)/.exec(db.stdout)?.[1]);
    for (const [title, extra] of [
      ['Slow API', ['--service', 'api']],
      ['Disk almost full', ['--severity', 'SEV4', '--urgency', 'low', '--service', 'db']],
    ] as const) {
      const r = await cli(['incidents', 'create', '--title', title, ...extra, '-o', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const inc = JSON.parse(r.stdout) as Incident;
      expect(inc).toMatchObject({ title, status: 'triggered' });
      numbers[title] = inc.number;
    }
    const bad = await cli(['incidents', 'create', '--title', 'x', '--policy', 'no-such-policy']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error \(\w+\): policy: no escalation policy no-such-policy$/m);
  });

  it('incidents ls lists open incidents, newest first, with status, severity, service, age and TTA', async () => {
    const r = await cli(['incidents', 'ls']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^#\s+STATUS\s+SEVERITY\s+TITLE\s+SERVICE\s+AGE\s+TTA$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^#${numbers['Disk almost full']}\\s+triggered\\s+SEV4\\s+Disk almost full\\s+db\\s+\\d+s\\s+-$`),
      ),
      expect.stringMatching(
        new RegExp(`^#${numbers['Slow API']}\\s+triggered\\s+SEV3\\s+Slow API\\s+api\\s+\\d+s\\s+-$`),
      ),
      expect.stringMatching(new RegExp(`^#${numbers.db}\\s+triggered\\s+SEV1\\s+Database down\\s+db\\s+\\d+s\\s+-$`)),
    ]);
  });

  it('incidents ls filters by severity, service, text and limit', async () => {
    expect(await ls('--severity', 'SEV1,sev2')).toEqual(['Database down']);
    expect(await ls('--severity', '4')).toEqual(['Disk almost full']);
    expect(await ls('--service', 'db')).toEqual(['Database down', 'Disk almost full']);
    expect(await ls('-q', 'SLOW')).toEqual(['Slow API']);
    const limited = await cli(['incidents', 'ls', '--limit', '1']);
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(limited.stderr).toBe('showing 1 of 3; use --limit\n');
  });

  it('ack acknowledges by number (#42 or 42) and prints one line; again is a no-op', async () => {
    const ack = await cli(['ack', `#${numbers.db}`]);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toBe(`#${numbers.db} acknowledged (Database down)\n`);
    const again = await cli(['incidents', 'ack', String(numbers.db)]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`#${numbers.db} acknowledged (Database down)\n`);
    const r = await cli(['incidents', 'ls', '--status', 'acknowledged']);
    expect(r.stdout).toMatch(
      new RegExp(`^#${numbers.db}\\s+acknowledged\\s+SEV1\\s+Database down\\s+db\\s+\\d+s\\s+\\d+s$`, 'm'),
    );
  });

  it('resolve resolves; the open list no longer shows it, --status resolved and all do', async () => {
    const resolve = await cli(['resolve', String(numbers.db)]);
    expect(resolve.code, resolve.stderr).toBe(0);
    expect(resolve.stdout).toBe(`#${numbers.db} resolved (Database down)\n`);
    expect(await ls()).toEqual(['Disk almost full', 'Slow API']);
    expect(await ls('--status', 'resolved')).toEqual(['Database down']);
    expect(await ls('--status', 'all')).toEqual(['Database down', 'Disk almost full', 'Slow API']);
    expect(await ls('--status', 'triggered,resolved', '--service', 'db')).toEqual([
      'Database down',
      'Disk almost full',
    ]);
  });

  it('ack of a resolved incident exits 1 with the server’s message and how to reopen', async () => {
    const r = await cli(['ack', String(numbers.db)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error (already_resolved): incident #${numbers.db} is resolved\nhint: reopen it first: mainstay incidents reopen ${numbers.db}\n`,
    );
  });

  it('incidents show prints the incident and its latest timeline entries', async () => {
    const r = await cli(['incidents', 'show', `#${numbers.db}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^incident:\s+#\d+ Database down$/m);
    expect(r.stdout).toMatch(/^status:\s+resolved$/m);
    expect(r.stdout).toMatch(/^severity:\s+SEV1, high urgency$/m);
    expect(r.stdout).toMatch(/^service:\s+db$/m);
    expect(r.stdout).toMatch(/^acknowledged:\s+\S+ \S+ \(\d+s ago\) by \S+ \(TTA \d+s\)$/m);
    expect(r.stdout).toMatch(/^resolved:\s+\S+ \S+ \(\d+s ago\) by \S+ \(TTR \d+s\)$/m);
    expect(r.stdout).toMatch(/^timeline \(\d+\):\n\s+TIME\s+EVENT\s+BY\s+MESSAGE\n\s+\S+ \S+\s+created\s/m);
    expect(r.stdout).toMatch(/^\s+\S+ \S+\s+acknowledged\s+\S+\s+acknowledged by /m);
    const events = [...r.stdout.matchAll(/^ {2}\S+ \S+Z\s+(\S+)/gm)].map((m) => m[1]);
    expect(events.at(-1)).toBe('status.changed');
    expect(events.indexOf('resolved')).toBeGreaterThan(events.indexOf('acknowledged'));

    const latest = await cli(['incidents', 'show', String(numbers.db), '--timeline', '2']);
    expect(latest.stdout).toMatch(/^timeline \(latest 2 of \d+\):$/m);
    expect([...latest.stdout.matchAll(/^ {2}\S+ \S+Z\s+(\S+)/gm)].map((m) => m[1])).toEqual([
      'resolved',
      'status.changed',
    ]);

    const json = await cli(['incidents', 'show', String(numbers.db), '-o', 'json']);
    const shown = JSON.parse(json.stdout) as { incident: Incident; timeline: Array<{ type: string }> };
    expect(shown.incident).toMatchObject({ number: numbers.db, status: 'resolved', severity: 'SEV1' });
    expect(shown.timeline[0]?.type).toBe('created');

    const missing = await cli(['incidents', 'show', '9999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error \(not_found\): no incident 9999$/m);
  });

  it('incidents reopen brings a resolved incident back', async () => {
    const r = await cli(['incidents', 'reopen', String(numbers.db)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`#${numbers.db} reopened (Database down)\n`);
    expect(await ls('--status', 'triggered', '--severity', 'SEV1')).toEqual(['Database down']);
  });

  it('bad flags and references are usage errors and send nothing', async () => {
    const status = await cli(['incidents', 'ls', '--status', 'open,closed']);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/^error: --status: "closed" is not a status$/m);
    expect(status.stderr).toMatch(/^hint: use open \(the default\), all, or a comma-separated list/m);
    const severity = await cli(['incidents', 'ls', '--severity', 'SEV9']);
    expect(severity.code).toBe(2);
    expect(severity.stderr).toMatch(/^hint: use SEV1, SEV2, SEV3, SEV4, SEV5/m);
    const two = await cli(['incidents', 'create', '--title', 'x', '--severity', 'SEV1,SEV2']);
    expect(two.code).toBe(2);
    const urgency = await cli(['incidents', 'create', '--title', 'x', '--urgency', 'urgent']);
    expect(urgency.code).toBe(2);
    const ref = await cli(['ack', 'a/b']);
    expect(ref.code).toBe(2);
    expect(ref.stderr).toMatch(/"a\/b" is not an incident number or id/);
    const limit = await cli(['incidents', 'ls', '--limit', '0']);
    expect(limit.code).toBe(2);
    expect(await ls('--status', 'all')).toHaveLength(3);
  });
});
