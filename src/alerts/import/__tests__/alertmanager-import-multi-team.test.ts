import { describe, expect, it } from 'vitest';
import { MatcherError } from '../../matchers.js';
import { formatNotCarried, importAlertmanager } from '../alertmanager-import.js';
import { fromRe2 } from '../am-matchers.js';
import { expectAllValid, reader, receiversFor, routeOf, specs } from './helpers.js';

// A realistic multi-team alertmanager.yml: every matcher form, continue, group_by '...', time
// intervals in several zones (and the deprecated mute_time_intervals), *_file secrets, and the
// things that cannot be carried (templates, PagerDuty, Opsgenie, http_config auth, RE2-only regex).
const CONFIG = `global:
  resolve_timeout: 5m
  slack_api_url_file: secrets/slack-default-url
  smtp_smarthost: 'smtp.example.org:587'
  smtp_from: 'Alertmanager <alertmanager@example.org>'
  smtp_auth_username: alertmanager
  smtp_auth_password_file: secrets/smtp-password
  pagerduty_url: https://events.pagerduty.com/v2/enqueue

templates: ['/etc/alertmanager/templates/*.tmpl']

route:
  receiver: default-slack
  group_by: [alertname, cluster]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['severity="critical"', 'team=~"payments|billing"']
      receiver: payments-pager
      continue: true
      group_by: ['...']
      group_wait: 0s
    - match:
        team: payments
      match_re:
        env: prod|staging
      receiver: payments-slack
      mute_time_intervals: [payments-release-freeze]
      routes:
        - matchers: ['alertname="Watchdog"']
          receiver: blackhole
    - matchers:
        - 'team="platform", env!="dev"'
        - 'summary=~"disk \\"full\\".*"'
      receiver: platform team
      active_time_intervals: [business-hours]
      repeat_interval: 12h
    - matchers: ['service=~"(?P<svc>api|web)-[[:digit:]]+"', 'host!~"(?i)canary-.*"']
      receiver: web-oncall
      mute_time_intervals: [weekends, holidays]
    - matchers: ['region=~"\\\\p{Greek}+"']
      receiver: web-oncall
      routes:
        - match: {severity: critical}
          receiver: payments-pager

receivers:
  - name: default-slack
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
        title: '{{ template "slack.title" . }}'
  - name: payments-pager
    pagerduty_configs:
      - routing_key_file: /etc/alertmanager/pd-key
    webhook_configs:
      - url: http://payments-bridge.internal:9000/hook
        max_alerts: 20
        http_config:
          basic_auth: {username: am, password: hunter2}
  - name: payments-slack
    slack_configs:
      - api_url_file: secrets/payments-slack-url
        channel: '#payments'
        username: '{{ .CommonLabels.team }}-bot'
  - name: blackhole
  - name: platform team
    email_configs:
      - to: 'platform@example.org, Oncall <oncall@example.org>'
        send_resolved: true
        headers: {Subject: '[{{ .Status }}] platform'}
    webhook_configs:
      - url_file: secrets/platform-hook-url
        send_resolved: false
        timeout: 30s
  - name: web-oncall
    email_configs:
      - to: '{{ .GroupLabels.owner }}@example.org'
      - to: web@example.org
        smarthost: mail.internal:25
        auth_password: hunter3
        require_tls: false
    opsgenie_configs:
      - api_key: opsgenie-key

inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity=~"warning|info"']
    equal: [cluster, alertname]
  - source_match_re: {alertname: 'NodeDown|KubeletDown'}
    target_match: {severity: warning}
    equal: [instance]
  - target_matchers: ['alertname="InfoInhibitor"']
    equal: [namespace]

time_intervals:
  - name: business-hours
    time_intervals:
      - weekdays: ['monday:friday']
        times: [{start_time: '09:00', end_time: '17:30'}]
        location: Europe/Berlin
  - name: weekends
    time_intervals:
      - weekdays: [saturday, sunday]
  - name: holidays
    time_intervals:
      - days_of_month: ['25:26']
        months: [december]
        location: America/New_York
      - days_of_month: ['1']
        months: [january]
        location: Asia/Tokyo

mute_time_intervals:
  - name: payments-release-freeze
    time_intervals:
      - years: ['2026']
        months: ['november:december']
        days_of_month: ['-7:-1']
        location: Local
`;

const FILES = {
  'secrets/slack-default-url': 'https://hooks.slack.com/services/T0/B0/default\n',
  'secrets/smtp-password': 's3cret\n',
  'secrets/payments-slack-url': 'https://hooks.slack.com/services/T0/B1/payments\n',
  'secrets/platform-hook-url': 'http://platform-hook.internal/alerts\n',
};

describe('importing a multi-team Alertmanager configuration', () => {
  const result = importAlertmanager(CONFIG, { readFile: reader(FILES) });

  it('produces valid documents, secrets first', () => {
    expectAllValid(result.documents);
    expect(result.documents.map((d) => `${d.document.kind}/${d.document.metadata.name}`)).toEqual([
      'Secret/slack-api-url',
      'Secret/payments-slack-slack-url',
      'Secret/smtp-auth-password',
      'Secret/web-oncall-smtp-password',
      'TimeInterval/business-hours',
      'TimeInterval/weekends',
      'TimeInterval/holidays',
      'TimeInterval/holidays-asia-tokyo',
      'TimeInterval/payments-release-freeze',
      'Receiver/default-slack',
      'Receiver/payments-pager',
      'Receiver/payments-slack',
      'Receiver/blackhole',
      'Receiver/platform-team',
      'Receiver/web-oncall',
      'Route/root',
      'InhibitRule/inhibit-1',
      'InhibitRule/inhibit-2',
      'InhibitRule/inhibit-3',
    ]);
    const secrets = specs(result, 'Secret');
    expect(secrets['slack-api-url']?.value).toBe('https://hooks.slack.com/services/T0/B0/default');
    expect(secrets['smtp-auth-password']?.value).toBe('s3cret');
    expect(secrets['web-oncall-smtp-password']?.value).toBe('hunter3');
  });

  it('keeps the tree: quoted and escaped values, several matchers per line, continue, ..., intervals', () => {
    expect(routeOf(result)).toEqual({
      receiver: 'default-slack',
      groupBy: ['alertname', 'cluster'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
      routes: [
        {
          receiver: 'payments-pager',
          matchers: ['severity="critical"', 'team=~"payments|billing"'],
          continue: true,
          groupBy: ['...'],
          groupWait: '0s',
        },
        {
          receiver: 'payments-slack',
          matchers: ['team="payments"', 'env=~"prod|staging"'],
          muteTimeIntervals: ['payments-release-freeze'],
          routes: [{ receiver: 'blackhole', matchers: ['alertname="Watchdog"'] }],
        },
        {
          receiver: 'platform-team',
          matchers: ['team="platform"', 'env!="dev"', 'summary=~"disk \\"full\\".*"'],
          repeatInterval: '12h',
          activeTimeIntervals: ['business-hours'],
        },
        {
          receiver: 'web-oncall',
          matchers: ['service=~"(?<svc>api|web)-[0-9]+"', 'host!~"(?i)canary-.*"'],
          muteTimeIntervals: ['weekends', 'holidays', 'holidays-asia-tokyo'],
        },
      ],
    });
  });

  it('routes as Alertmanager would', () => {
    const critical = { alertname: 'Lag', severity: 'critical', team: 'payments', env: 'prod' };
    expect(receiversFor(result, critical)).toEqual(['payments-pager', 'payments-slack']);
    expect(receiversFor(result, { ...critical, alertname: 'Watchdog' })).toEqual(['payments-pager', 'blackhole']);
    expect(receiversFor(result, { team: 'payments', env: 'production' })).toEqual(['default-slack']);
    expect(receiversFor(result, { team: 'platform', env: 'prod', summary: 'disk "full" on db1' })).toEqual([
      'platform-team',
    ]);
    expect(receiversFor(result, { team: 'platform', env: 'dev', summary: 'disk "full"' })).toEqual(['default-slack']);
    expect(receiversFor(result, { service: 'api-12', host: 'db1' })).toEqual(['web-oncall']);
    expect(receiversFor(result, { service: 'api-12', host: 'CANARY-1' })).toEqual(['default-slack']);
  });

  it('converts receivers with Alertmanager defaults made explicit', () => {
    const r = specs(result, 'Receiver');
    expect(r['default-slack']).toEqual({
      slack: [{ urlSecret: 'slack-api-url', sendResolved: true, channel: '#alerts' }],
    });
    expect(r['payments-pager']).toEqual({
      webhooks: [{ url: 'http://payments-bridge.internal:9000/hook', sendResolved: true, maxAlerts: 20 }],
    });
    expect(r['payments-slack']).toEqual({
      slack: [{ urlSecret: 'payments-slack-slack-url', sendResolved: false, channel: '#payments' }],
    });
    expect(r.blackhole).toEqual({});
    expect(r['platform-team']).toEqual({
      webhooks: [{ url: 'http://platform-hook.internal/alerts', sendResolved: false, timeoutSeconds: 30 }],
      email: [
        {
          to: ['platform@example.org', 'oncall@example.org'],
          from: 'alertmanager@example.org',
          smarthost: 'smtp.example.org:587',
          authUsername: 'alertmanager',
          authPasswordSecret: 'smtp-auth-password',
          requireTls: true,
          sendResolved: true,
        },
      ],
    });
    expect(r['web-oncall']).toEqual({
      email: [
        {
          to: ['web@example.org'],
          from: 'alertmanager@example.org',
          smarthost: 'mail.internal:25',
          authUsername: 'alertmanager',
          authPasswordSecret: 'web-oncall-smtp-password',
          requireTls: false,
          sendResolved: false,
        },
      ],
    });
  });

  it('splits time intervals by zone and converts the deprecated mute_time_intervals', () => {
    const t = specs(result, 'TimeInterval');
    expect(t['business-hours']).toEqual({
      timeZone: 'Europe/Berlin',
      intervals: [{ times: [{ start: '09:00', end: '17:30' }], weekdays: ['monday:friday'] }],
    });
    expect(t.weekends).toEqual({ timeZone: 'UTC', intervals: [{ weekdays: ['saturday', 'sunday'] }] });
    expect(t.holidays).toEqual({
      timeZone: 'America/New_York',
      intervals: [{ daysOfMonth: ['25:26'], months: ['december'] }],
    });
    expect(t['holidays-asia-tokyo']).toEqual({
      timeZone: 'Asia/Tokyo',
      intervals: [{ daysOfMonth: ['1'], months: ['january'] }],
    });
    expect(t['payments-release-freeze']).toEqual({
      timeZone: 'UTC',
      intervals: [{ daysOfMonth: ['-7:-1'], months: ['november:december'], years: ['2026'] }],
    });
  });

  it('converts inhibit rules in every matcher form; an empty side matches everything', () => {
    const rules = specs(result, 'InhibitRule');
    expect(rules['inhibit-1']).toMatchObject({
      sourceMatchers: ['severity="critical"'],
      targetMatchers: ['severity=~"warning|info"'],
      equal: ['cluster', 'alertname'],
    });
    expect(rules['inhibit-2']).toMatchObject({
      sourceMatchers: ['alertname=~"NodeDown|KubeletDown"'],
      targetMatchers: ['severity="warning"'],
      equal: ['instance'],
    });
    expect(rules['inhibit-3']).toMatchObject({
      sourceMatchers: ['alertname=~".*"'],
      targetMatchers: ['alertname="InfoInhibitor"'],
      equal: ['namespace'],
    });
  });

  it('lists exactly what is not carried over, and the notes', () => {
    const unsupported = 'notifications are not supported (supported targets: webhook, Slack, email)';
    expect(result.notCarried.map(formatNotCarried)).toEqual([
      'templates: notification templates are not carried; Mainstay formats notifications itself',
      'global.resolve_timeout: not carried: alerts resolve when their source says so, or when their endsAt passes',
      'global.pagerduty_url: used only by pagerduty receivers, which are not supported',
      'mute_time_intervals[0].time_intervals[0].location: Local means the Alertmanager host zone, which is unknown here; read as UTC',
      'receivers[0].slack_configs[0].title: message layout and templates are not carried; Mainstay formats Slack messages',
      `receivers[1].pagerduty_configs[0]: PagerDuty ${unsupported}`,
      'receivers[1].webhook_configs[0].http_config.basic_auth: credentials for the target are not carried; set them on the target by hand (e.g. headerSecrets on a webhook target)',
      'receivers[2].slack_configs[0].username: templates are not carried; the webhook default applies',
      'receivers[4].email_configs[0].headers: not carried (Mainstay writes the message and headers itself)',
      'receivers[5].email_configs[0].to: the target is left out: to is a template or empty; give fixed addresses',
      `receivers[5].opsgenie_configs[0]: Opsgenie ${unsupported}`,
      'route.routes[4]: the route and its 1 child route are left out: matchers[0]: regex "\\\\p{Greek}+": \\p is RE2-only syntax',
    ]);
    expect(result.notes).toEqual([
      'time_intervals[2]: entries in 2 time zones became TimeIntervals holidays, holidays-asia-tokyo',
      'receivers[4]: receiver "platform team" is imported as platform-team',
      'route.routes[3].matchers[0]: regex "(?P<svc>api|web)-[[:digit:]]+" is written "(?<svc>api|web)-[0-9]+"',
      'inhibit_rules[2]: no source matchers, so every alert is a source; written as alertname=~".*"',
    ]);
  });
});

describe('RE2 regexes as JavaScript regexes', () => {
  it.each([
    ['foo|bar', 'foo|bar'],
    ['(?P<name>x+)', '(?<name>x+)'],
    ['[[:alpha:]][[:digit:]_]*', '[A-Za-z][0-9_]*'],
    ['[^[:space:]]+', '[^\\t\\n\\v\\f\\r ]+'],
    ['\\Afoo\\z', '^foo$'],
    ['[]a]', '[\\]a]'],
    ['a\\\\z', 'a\\\\z'],
    ['(?i)critical', '(?i)critical'],
  ])('%s is written %s', (re2, js) => {
    expect(fromRe2(re2)).toBe(js);
  });

  it.each(['\\p{Greek}', '\\PL', '\\Qa.b\\E', '[[:nope:]]'])('%s is refused rather than read differently', (re2) => {
    expect(() => fromRe2(re2)).toThrow(MatcherError);
  });
});
