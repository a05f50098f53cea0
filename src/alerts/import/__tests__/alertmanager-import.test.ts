import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AlertmanagerConfigError, formatNotCarried, importAlertmanager } from '../alertmanager-import.js';
import { expectAllValid, reader, receiversFor, routeOf, specs } from './helpers.js';

const CONFORMANCE = '/work/shared/conformance/alertmanager';
const load = (name: string) => fs.readFileSync(`${CONFORMANCE}/${name}`, 'utf8');

const email = (to: string) => ({
  to: [to],
  from: 'alertmanager@example.org',
  smarthost: 'localhost:25',
  authUsername: 'alertmanager',
  authPasswordSecret: 'smtp-auth-password',
  // Alertmanager's defaults, written out: smtp_require_tls true, send_resolved false for email.
  requireTls: true,
  sendResolved: false,
});

describe('importing Alertmanager conf.good.yml', () => {
  const result = importAlertmanager(load('conf.good.yml'));

  it('produces documents that validate against their kinds', () => {
    expectAllValid(result.documents);
    expect(result.documents.map((d) => `${d.document.kind}/${d.document.metadata.name}`)).toEqual([
      'Secret/smtp-auth-password',
      'Secret/slack-api-url',
      'Receiver/team-X-mails',
      'Receiver/team-X-pager',
      'Receiver/team-Y-mails',
      'Receiver/team-Y-pager',
      'Receiver/team-DB-pager',
      'Receiver/victorOps-receiver',
      'Receiver/opsGenie-receiver',
      'Receiver/pushover-receiver',
      'Receiver/slack-receiver',
      'Route/root',
      'InhibitRule/inhibit-1',
    ]);
  });

  it('keeps the route tree: match and match_re become matchers, match_re stays anchored as written', () => {
    expect(routeOf(result)).toEqual({
      receiver: 'team-X-mails',
      groupBy: ['alertname', 'cluster', 'service'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '3h',
      routes: [
        {
          receiver: 'team-X-mails',
          matchers: ['service=~"^(foo1|foo2|baz)$"'],
          routes: [{ receiver: 'team-X-pager', matchers: ['severity="critical"'] }],
        },
        {
          receiver: 'team-Y-mails',
          matchers: ['service="files"'],
          routes: [{ receiver: 'team-Y-pager', matchers: ['severity="critical"'] }],
        },
        {
          receiver: 'team-DB-pager',
          matchers: ['service="database"'],
          groupBy: ['alertname', 'cluster', 'database'],
          routes: [
            { receiver: 'team-X-pager', matchers: ['owner2="team-X"'], continue: true },
            { receiver: 'team-Y-pager', matchers: ['owner="team-Y"'] },
          ],
        },
      ],
    });
  });

  it('routes alerts as Alertmanager does', () => {
    expect(receiversFor(result, { service: 'foo2', severity: 'critical' })).toEqual(['team-X-pager']);
    expect(receiversFor(result, { service: 'foo2', severity: 'warning' })).toEqual(['team-X-mails']);
    expect(receiversFor(result, { service: 'xfoo2' })).toEqual(['team-X-mails']);
    expect(receiversFor(result, { service: 'database', owner2: 'team-X', owner: 'team-Y' })).toEqual([
      'team-X-pager',
      'team-Y-pager',
    ]);
    expect(receiversFor(result, { service: 'database' })).toEqual(['team-DB-pager']);
  });

  it('converts email and Slack receivers with the global defaults, and keeps unsupported ones empty', () => {
    const receivers = specs(result, 'Receiver');
    expect(receivers['team-X-mails']).toEqual({ email: [email('team-X+alerts@example.org')] });
    expect(receivers['team-X-pager']).toEqual({ email: [email('team-X+alerts-critical@example.org')] });
    expect(receivers['team-DB-pager']).toEqual({});
    expect(receivers['slack-receiver']).toEqual({
      slack: [{ urlSecret: 'slack-api-url', channel: '#my-channel', sendResolved: false }],
    });
    const secrets = specs(result, 'Secret');
    expect(secrets['smtp-auth-password']?.value).toBe('multiline\nmysecret');
    expect(secrets['slack-api-url']?.value).toBe('http://mysecret.example.com/');
  });

  it('converts the inhibit rule', () => {
    expect(specs(result, 'InhibitRule')['inhibit-1']).toEqual({
      sourceMatchers: ['severity="critical"'],
      targetMatchers: ['severity="warning"'],
      equal: ['alertname', 'cluster', 'service'],
      description: 'imported from alertmanager.yml inhibit_rules[0]',
    });
  });

  it('lists exactly what is not carried over, by YAML path', () => {
    const unsupported = (i: number, kind: string, name: string) =>
      `receivers[${i}].${kind}_configs[0]: ${name} notifications are not supported (supported targets: webhook, Slack, email)`;
    expect(result.notCarried.map(formatNotCarried)).toEqual([
      'templates: notification templates are not carried; Mainstay formats notifications itself',
      'global.smtp_hello: no equivalent setting; not carried',
      'global.http_config.proxy_url: HTTP proxies are not supported',
      unsupported(1, 'pagerduty', 'PagerDuty'),
      unsupported(3, 'pagerduty', 'PagerDuty'),
      unsupported(4, 'pagerduty', 'PagerDuty'),
      unsupported(5, 'victorops', 'VictorOps'),
      unsupported(6, 'opsgenie', 'Opsgenie'),
      unsupported(7, 'pushover', 'Pushover'),
      'receivers[8].slack_configs[0].image_url: message layout and templates are not carried; Mainstay formats Slack messages',
    ]);
    expect(result.notes).toEqual(
      [3, 4, 5, 6, 7].map((i) => {
        const name = ['team-Y-pager', 'team-DB-pager', 'victorOps-receiver', 'opsGenie-receiver', 'pushover-receiver'][
          i - 3
        ];
        return `receivers[${i}]: no target of receiver ${name} was carried; it records notifications without sending`;
      }),
    );
  });
});

describe('importing Alertmanager simple.yml', () => {
  const result = importAlertmanager(load('simple.yml'));

  it('converts the matchers form and the source_matchers form', () => {
    expectAllValid(result.documents);
    const root = routeOf(result) as { routes: Array<{ matchers: string[]; routes: Array<Record<string, unknown>> }> };
    expect(root.routes.map((r) => r.matchers)).toEqual([
      ['service=~"foo1|foo2|baz"'],
      ['service="files"'],
      ['service="database"'],
    ]);
    expect(root.routes[2]?.routes).toEqual([
      { receiver: 'team-X-pager', matchers: ['owner="team-X"'], continue: true },
      { receiver: 'team-Y-pager', matchers: ['owner="team-Y"'] },
    ]);
    expect(receiversFor(result, { service: 'baz', severity: 'critical' })).toEqual(['team-X-pager']);
    expect(specs(result, 'InhibitRule')['inhibit-1']?.sourceMatchers).toEqual(['severity="critical"']);
    expect(specs(result, 'Secret')['smtp-auth-password']?.value).toBe('password');
  });

  it('lists exactly what is not carried over', () => {
    expect(result.notCarried.map(formatNotCarried)).toEqual([
      'templates: notification templates are not carried; Mainstay formats notifications itself',
      'tracing: tracing settings are not carried',
      ...[1, 3, 4].map(
        (i) =>
          `receivers[${i}].pagerduty_configs[0]: PagerDuty notifications are not supported (supported targets: webhook, Slack, email)`,
      ),
    ]);
  });
});

describe('import options and invalid configurations', () => {
  const config = `
route:
  receiver: ops team
  routes:
    - matchers: ['env="prod"']
      receiver: hooks
      mute_time_intervals: [nights]
receivers:
  - name: ops team
    slack_configs: [{ api_url: 'https://hooks.slack.com/services/X', channel: '#ops' }]
  - name: hooks
    webhook_configs:
      - url_file: hook-url
      - url_file: missing-file
time_intervals:
  - name: nights
    time_intervals: [{ times: [{ start_time: '00:00', end_time: '06:00' }] }]
`;

  it('prefixes every name but the root route, and references follow', () => {
    const result = importAlertmanager(config, {
      prefix: 'am',
      readFile: reader({ 'hook-url': 'http://h.example/x\n' }),
    });
    expectAllValid(result.documents);
    expect(result.documents.map((d) => `${d.document.kind}/${d.document.metadata.name}`)).toEqual([
      'Secret/am-ops-team-slack-url',
      'TimeInterval/am-nights',
      'Receiver/am-ops-team',
      'Receiver/am-hooks',
      'Route/root',
    ]);
    expect(routeOf(result)).toEqual({
      receiver: 'am-ops-team',
      routes: [{ receiver: 'am-hooks', matchers: ['env="prod"'], muteTimeIntervals: ['am-nights'] }],
    });
    expect(specs(result, 'Receiver')['am-hooks']).toEqual({
      webhooks: [{ url: 'http://h.example/x', sendResolved: true }],
    });
    expect(result.notCarried.map(formatNotCarried)).toEqual([
      'receivers[1].webhook_configs[1].url_file: cannot read missing-file: ENOENT: no such file missing-file',
      'receivers[1].webhook_configs[1]: the target is left out: it has no usable url',
    ]);
    expect(result.notes).toEqual(['receivers[0]: receiver "ops team" is imported as am-ops-team']);
  });

  it.each([
    [
      'a route naming an undefined receiver',
      config.replace('receiver: hooks', 'receiver: nobody'),
      /receiver "nobody" is not defined/,
    ],
    ['an undefined time interval', config.replace('[nights]', '[days]'), /time interval "days" is not defined/],
    ['no route', 'receivers: [{ name: a }]', /^route: no route tree/],
    ['a root route without receiver', 'route: { group_by: [a] }', /root route needs a default receiver/],
    ['a receiver defined twice', 'route: { receiver: a }\nreceivers: [{ name: a }, { name: a }]', /defined twice/],
    [
      'a zero repeat_interval',
      'route: { receiver: a, repeat_interval: 0s }\nreceivers: [{ name: a }]',
      /cannot be zero/,
    ],
    ['not a map', '- just\n- a list\n', /not an Alertmanager configuration/],
    ['broken YAML', 'route: [unclosed', /not valid YAML/],
  ])('refuses %s, as Alertmanager would', (_name, text, message) => {
    expect(() => importAlertmanager(text, { readFile: reader({ 'hook-url': 'http://h/' }) })).toThrow(
      AlertmanagerConfigError,
    );
    expect(() => importAlertmanager(text, { readFile: reader({ 'hook-url': 'http://h/' }) })).toThrow(message);
  });

  it('reports *_file settings as not carried when no reader is given', () => {
    const result = importAlertmanager(config);
    expect(result.notCarried.map(formatNotCarried)).toContain(
      'receivers[1].webhook_configs[0].url_file: cannot read hook-url here; put the value in the document by hand',
    );
  });
});
