import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../alerts/helpers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run, tempDir, writeFiles } from './helpers.js';

const ALERTING = (hook: string) => `apiVersion: mainstay/v1
kind: Integration
metadata: { name: pd }
spec: { type: pagerduty }
---
apiVersion: mainstay/v1
kind: Receiver
metadata: { name: ops-hook }
spec:
  webhooks: [{ url: ${hook}/ops }]
---
apiVersion: mainstay/v1
kind: Route
metadata: { name: root }
spec: { receiver: ops-hook, groupBy: [alertname], groupWait: 0s, groupInterval: 1s, repeatInterval: 1h }
`;

const ALERTMANAGER = `global:
  resolve_timeout: 5m
templates: ['/etc/alertmanager/*.tmpl']
route:
  receiver: default
  group_by: [alertname, cluster]
  routes:
    - matchers: ['team="db"', 'severity=~"critical|error"']
      receiver: db-pager
      continue: true
    - match: { team: web }
      receiver: web-slack
      mute_time_intervals: [nights]
receivers:
  - name: default
    webhook_configs: [{ url: 'http://127.0.0.1:9/default' }]
  - name: db-pager
    pagerduty_configs: [{ routing_key: abc }]
  - name: web-slack
    slack_configs: [{ api_url_file: slack-url, channel: '#web' }]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [cluster]
time_intervals:
  - name: nights
    time_intervals: [{ times: [{ start_time: '22:00', end_time: '24:00' }], location: Europe/Berlin }]
`;

interface Tree {
  root: { receiver: string; children: Array<{ receiver: string; matchers: string[]; muteTimeIntervals: string[] }> };
}

describe.each(engines())('mainstay alerts, silence and import CLI against a real server on %s', (engine) => {
  let server: TestServer;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let work: string;
  let env: Record<string, string>;
  let alertId = '';
  const cli = (argv: string[]) => run(argv, { env, cwd: work });
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    hook = await startReceiver();
    server = await startTestServer({ engine });
    work = tempDir();
    env = { MAINSTAY_URL: server.url, MAINSTAY_TOKEN: server.adminToken };
    writeFiles(work, {
      'alerting.yaml': ALERTING(hook.url),
      'am/alertmanager.yml': ALERTMANAGER,
      'am/slack-url': `${hook.url}/slack\n`,
      'am/broken.yml': 'route: { receiver: nobody }\nreceivers: [{ name: somebody }]\n',
    });
    const applied = await cli(['apply', '-f', 'alerting.yaml']);
    expect(applied.code, applied.stderr).toBe(0);
    const { key } = await api<{ key: string }>('POST', '/api/v1/integrations/pd/key');
    const sent = await fetch(`${server.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: key,
        event_action: 'trigger',
        dedup_key: 'disk-1',
        payload: { summary: 'disk full on db1', source: 'db1', severity: 'critical', component: 'DiskFull' },
      }),
    });
    expect(sent.status).toBe(202);
  });

  afterAll(async () => {
    await server?.close();
    await hook?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('alerts ls lists the firing alert, filtered by matchers', async () => {
    const ls = await cli(['alerts', 'ls']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^ID\s+STATUS\s+SEVERITY\s+STATE\s+STARTED\s+SOURCE\s+SUMMARY$/m);
    expect(ls.stdout).toMatch(/firing\s+critical\s+\S+\s+.*\s+pd\s+disk full on db1/);
    const json = await cli(['alerts', 'ls', '-m', 'source="db1"', '--matcher', 'severity=~"crit.*"', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout) as Array<{ id: string; labels: Record<string, string> }>;
    expect(items).toHaveLength(1);
    expect(items[0]?.labels.source).toBe('db1');
    alertId = items[0]?.id as string;
    const none = await cli(['alerts', 'ls', '--matcher', 'source="db2"', '--source', 'pagerduty']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/no alerts found/);
  });

  it('alerts show prints the summary, labels, why-trail and history', async () => {
    const show = await cli(['alerts', 'show', alertId]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^summary:\s+disk full on db1$/m);
    expect(show.stdout).toMatch(/^labels:\n(\s+\S+=\S+\n)*\s+source=db1$/m);
    expect(show.stdout).toMatch(/^why:\n\s+state:/m);
    expect(show.stdout).toMatch(/routes:\s+root → ops-hook/);
    expect(show.stdout).toMatch(/^recent history \(\d+\):/m);
    expect(show.stdout).toMatch(/triggered/);
    const missing = await cli(['alerts', 'show', 'no-such-alert']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not_found/);
  });

  it('alerts ack acknowledges the alert', async () => {
    const ack = await cli(['alerts', 'ack', alertId]);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toMatch(new RegExp(`^acknowledged ${alertId}: disk full on db1 \\(now firing, acked\\)$`, 'm'));
    const show = await cli(['alerts', 'show', alertId, '-o', 'json']);
    expect(JSON.parse(show.stdout).alert.acknowledged).toBe(true);
  });

  it('silence add creates a silence and says how many firing alerts it matches now', async () => {
    const add = await cli([
      'silence',
      'add',
      '--matcher',
      'source="db1"',
      '--for',
      '2h',
      '--comment',
      'replacing the disk',
      '--name',
      'disk-work',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^name:\s+disk-work$/m);
    expect(add.stdout).toMatch(/^state:\s+active$/m);
    expect(add.stdout).toMatch(/^matches 1 firing alert now:$/m);
    expect(add.stdout).toContain(`  ${alertId}  disk full on db1`);
    const nothing = await cli(['silence', 'add', '-m', 'source="db9"', '--for', '30m', '-c', 'nothing there']);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stdout).toMatch(/^matches 0 firing alerts now$/m);
  });

  it('silence ls (and its alias silences) lists silences by state', async () => {
    const ls = await cli(['silences', 'ls', '--state', 'active']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^disk-work\s+active\s+.*source="db1"\s+replacing the disk$/m);
    const expired = await cli(['silence', 'ls', '--state', 'expired']);
    expect(expired.stdout).toBe('');
    expect(expired.stderr).toMatch(/no silences found/);
  });

  it('silence expire ends the silence', async () => {
    const expire = await cli(['silence', 'expire', 'disk-work']);
    expect(expire.code, expire.stderr).toBe(0);
    expect(expire.stdout).toMatch(/^expired silence disk-work \(state expired/m);
    const ls = await cli(['silence', 'ls', '--state', 'expired', '-o', 'json']);
    expect((JSON.parse(ls.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['disk-work']);
    const missing = await cli(['silence', 'expire', 'no-such-silence']);
    expect(missing.code).toBe(1);
  });

  it('a bad --matcher, a missing end or a bad time is a usage error and sends nothing', async () => {
    const bad = await cli(['alerts', 'ls', '--matcher', 'severity=="critical"']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --matcher "severity==\\"critical\\"": /m);
    expect(bad.stderr).toMatch(/^hint: matchers look like severity="critical"/m);
    const silence = await cli(['silence', 'add', '-m', 'alertname', '--for', '1h', '-c', 'x']);
    expect(silence.code).toBe(2);
    expect(silence.stderr).toMatch(/--matcher "alertname": .* is not a matcher/);
    const both = await cli([
      'silence',
      'add',
      '-m',
      'a="b"',
      '--for',
      '1h',
      '--until',
      '2030-01-01T00:00:00Z',
      '-c',
      'x',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give one of --for and --until/);
    const local = await cli(['silence', 'add', '-m', 'a="b"', '--until', '2030-01-01T10:00', '-c', 'x']);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--until must be an ISO 8601 time with an offset/);
    const badStatus = await cli(['alerts', 'ls', '--status', 'open']);
    expect(badStatus.code).toBe(2);
  });

  it('alerts resolve resolves the alert', async () => {
    const resolve = await cli(['alerts', 'resolve', alertId]);
    expect(resolve.code, resolve.stderr).toBe(0);
    expect(resolve.stdout).toMatch(/^resolved .*\(now resolved/m);
    const firing = await cli(['alerts', 'ls']);
    expect(firing.stderr).toMatch(/no alerts found/);
    const resolved = await cli(['alerts', 'ls', '--status', 'resolved', '-o', 'json']);
    expect((JSON.parse(resolved.stdout) as Array<{ id: string }>).map((a) => a.id)).toEqual([alertId]);
    const again = await cli(['alerts', 'resolve', alertId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already_resolved/);
  });

  it('import alertmanager --dry-run prints the plan and what is not carried, and applies nothing', async () => {
    const dry = await cli(['import', 'alertmanager', 'am/alertmanager.yml', '--dry-run', '--prefix', 'am']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('not carried over (3):');
    expect(dry.stdout).toContain('  receivers[1].pagerduty_configs[0]: PagerDuty notifications are not supported');
    expect(dry.stdout).toMatch(/^\+ create\s+Secret\/am-web-slack-slack-url\s+am\/alertmanager.yml:receivers\[2\]/m);
    expect(dry.stdout).toMatch(/^\+ create\s+Receiver\/am-db-pager\s/m);
    expect(dry.stdout).toMatch(/^\+ create\s+TimeInterval\/am-nights\s/m);
    expect(dry.stdout).toMatch(/^\+ create\s+InhibitRule\/am-inhibit-1\s/m);
    expect(dry.stdout).toMatch(/^~ update\s+Route\/root\s/m);
    expect(dry.stdout).toMatch(/^\(dry run: nothing applied\)$/m);
    const tree = await api<Tree>('GET', '/api/v1/routing/tree');
    expect(tree.root.receiver).toBe('ops-hook');
    const receivers = await api<{ items: Array<{ metadata: { name: string } }> }>('GET', '/api/v1/resources/Receiver');
    expect(receivers.items.map((r) => r.metadata.name)).toEqual(['ops-hook']);
  });

  it('import alertmanager applies the converted configuration, and the tree shows it', async () => {
    const imported = await cli(['import', 'alertmanager', 'am/alertmanager.yml', '--prefix', 'am']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^applied$/m);
    const tree = await api<Tree>('GET', '/api/v1/routing/tree');
    expect(tree.root.receiver).toBe('am-default');
    expect(tree.root.children.map((c) => [c.receiver, c.matchers, c.muteTimeIntervals])).toEqual([
      ['am-db-pager', ['team="db"', 'severity=~"critical|error"'], []],
      ['am-web-slack', ['team="web"'], ['am-nights']],
    ]);
    const routed = await api<{ routes: Array<{ receiver: string }> }>('POST', '/api/v1/routing/test', {
      labels: { team: 'db', severity: 'critical' },
    });
    expect(routed.routes.map((r) => r.receiver)).toEqual(['am-db-pager']);
  });

  it('import alertmanager -o DIR writes documents that apply unchanged', async () => {
    const out = await cli(['import', 'alertmanager', 'am/alertmanager.yml', '--prefix', 'am', '-o', 'out']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^wrote out\/secrets.yaml \(1 Secret\)$/m);
    expect(out.stdout).toMatch(/^wrote out\/route.yaml \(1 Route\)$/m);
    expect(fs.statSync(`${work}/out/secrets.yaml`).mode & 0o077).toBe(0);
    const plan = await cli(['apply', '-f', 'out', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^0 to create, 0 to update, 0 to delete, 7 unchanged$/m);
  });

  it('import alertmanager refuses a configuration Alertmanager would refuse, sending nothing', async () => {
    const bad = await cli(['import', 'alertmanager', 'am/broken.yml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: am\/broken.yml: route.receiver: receiver "nobody" is not defined$/m);
    expect(bad.stderr).toMatch(/nothing was sent/);
  });
});
