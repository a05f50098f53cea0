import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts } from '../../src/alerts/alert.queries.js';
import { matchesAll, parseMatcherList } from '../../src/alerts/matchers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A label-filtered list is counted from the labels' (name, value, active) index and paged either by
 * sorting the matches (few) or by walking the sort order (many). Both ways, for open, resolved and
 * all alerts, with and without a filter on the alerts' own columns, must give Alertmanager's matches
 * in the requested order with an exact total.
 */
describe.each(engines())('alert list paging strategies on %s', (engine) => {
  let s: TestServer;
  const alerts: Array<{ labels: Record<string, string>; summary: string; resolved: boolean; severity: string }> = [];

  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false });
    const envs = ['prod', 'staging', 'dev', 'prod-eu'];
    for (let i = 0; i < 80; i++) {
      const labels: Record<string, string> = { alertname: `A${i % 7}`, env: envs[i % 4] as string, instance: `i-${i}` };
      if (i % 3 !== 0) labels.team = i % 2 ? 'db' : 'web';
      alerts.push({
        labels,
        summary: `alert ${String(i).padStart(3, '0')}`,
        resolved: i % 5 === 0,
        severity: i % 2 ? 'critical' : 'warning',
      });
    }
    const event = (i: number, action: 'trigger' | 'resolve') => ({
      action,
      source: 'api' as const,
      integrationId: null,
      dedupKey: `strategy-${i}`,
      labels: (alerts[i] as (typeof alerts)[number]).labels,
      annotations: {},
      summary: (alerts[i] as (typeof alerts)[number]).summary,
      severity: (alerts[i] as (typeof alerts)[number]).severity as 'critical' | 'warning',
    });
    await s.app.alerts.intake.submit(alerts.map((_, i) => event(i, 'trigger')));
    await s.app.alerts.intake.submit(alerts.flatMap((a, i) => (a.resolved ? [event(i, 'resolve')] : [])));
    // Opened and resolved in one batch: its labels are written already inactive.
    alerts.push({
      labels: { alertname: 'A1', env: 'prod', instance: 'i-80' },
      summary: 'alert 080',
      resolved: true,
      severity: 'warning',
    });
    await s.app.alerts.intake.submit([event(80, 'trigger'), event(80, 'resolve')]);
  });
  afterAll(() => s?.close());

  const cases: string[][] = [
    ['env="prod"'],
    ['env="prod"', 'team="db"'],
    ['env=~"prod.*"'],
    ['env=~"prod.*"', 'team!="web"'],
    ['team=~"db|"'],
    ['team!~"db"', 'env="dev"'],
    ['alertname=~"A[0-3]"', 'env!="dev"'],
    ['team=""'],
    ['instance=~"i-1.*"', 'alertname="A1"'],
    ['nosuchlabel="x"'],
    ['team=~"nomatch"'],
  ];
  const statuses = ['firing', 'resolved', 'all'] as const;

  for (const ms of cases)
    for (const status of statuses)
      it(`${ms.join(', ')} (${status}): same answer sorting or walking, with or without a severity filter`, async () => {
        const matchers = ms.flatMap((m) => parseMatcherList(m));
        for (const severity of [undefined, 'critical'] as const) {
          const want = alerts
            .filter((a) => (status === 'all' ? true : status === 'resolved' ? a.resolved : !a.resolved))
            .filter((a) => severity === undefined || a.severity === severity)
            .filter((a) => matchesAll(matchers, a.labels))
            .map((a) => a.summary)
            .sort()
            .reverse();
          // Walking the sort order; sorting the matches; finding the page among the first 10 or all alerts.
          for (const [sortMatchesUpTo, walkIds] of [
            [0, 0],
            [10_000, 0],
            [10_000, 10],
            [10_000, 5_000],
          ] as const) {
            const seen: string[] = [];
            for (let offset = 0; offset < Math.max(1, want.length); offset += 7) {
              const page = await listAlerts(
                s.app.database.db,
                { status, matchers, severity },
                { limit: 7, offset, sort: '-summary' },
                new Map(),
                engine,
                { sortMatchesUpTo, walkIds },
              );
              expect(page.total, `offset ${offset}, ${sortMatchesUpTo}/${walkIds}`).toBe(want.length);
              expect(page.partial).toBe(false);
              seen.push(...page.items.map((a) => a.summary));
            }
            expect(seen, `severity ${severity}, ${sortMatchesUpTo}/${walkIds}`).toEqual(want);
          }
        }
      });

  it('an offset past the end answers the exact total and no items', async () => {
    const page = await listAlerts(
      s.app.database.db,
      { status: 'all', matchers: parseMatcherList('env="prod"') },
      { limit: 10, offset: 500, sort: '-summary' },
      new Map(),
      engine,
    );
    expect(page.items).toEqual([]);
    expect(page.total).toBe(alerts.filter((a) => a.labels.env === 'prod').length);
  });
});
