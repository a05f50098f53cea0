import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesAll, parseMatcherList } from '../../src/alerts/matchers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The alert list with regex, negative and empty matchers: decided on each label's distinct values
 * and run as indexed SQL, so totals and pages are exact however many alerts there are. Compared,
 * matcher by matcher, with Alertmanager's semantics evaluated in memory on every alert.
 */
describe.each(engines())('alert list matchers on %s', (engine) => {
  let s: TestServer;
  const labelSets: Array<Record<string, string>> = [];

  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false });
    const envs = ['prod', 'staging', 'dev', 'prod-eu'];
    for (let i = 0; i < 60; i++) {
      const labels: Record<string, string> = { alertname: `A${i % 7}`, env: envs[i % 4]!, instance: `i-${i}` };
      // Upper case must not pass for lower case (SQLite's LIKE would), nor a newline for `.`.
      if (i === 59) labels.instance = 'I-1x';
      if (i === 58) labels.instance = 'i-1\nsecond line';
      if (i % 3 !== 0) labels.team = i % 2 ? 'db' : 'web';
      labelSets.push(labels);
    }
    await s.app.alerts.intake.submit(
      labelSets.map((labels, i) => ({
        action: 'trigger' as const,
        source: 'api' as const,
        integrationId: null,
        dedupKey: `list-${i}`,
        labels,
        annotations: {},
        summary: `alert ${i}`,
        severity: 'warning' as const,
      })),
    );
  });
  afterAll(() => s?.close());

  const list = async (matchers: string[], extra = '') => {
    const qs = matchers.map((m) => `matcher=${encodeURIComponent(m)}`).join('&');
    const r = await s.app.http.inject({
      method: 'GET',
      url: `/api/v1/alerts?status=all&limit=200&sort=summary&${qs}${extra}`,
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { items: Array<{ labels: Record<string, string> }>; total: number; partial: boolean };
  };

  it.each([
    ['env=~"prod.*"'],
    ['env!~"prod.*"'],
    ['env!="prod"'],
    ['team=""'],
    ['team!=""'],
    ['team=~"db|"'],
    ['team!~"db"'],
    ['team=~".*"'],
    ['nosuchlabel=~"x.*"'],
    ['nosuchlabel!~"x.*"'],
    ['env=~"prod.*"', 'team="db"'],
    ['alertname=~"A[0-3]"', 'env!="dev"', 'team!~"web"'],
    ['instance=~"i-(1|2)[0-9]"'],
    ['instance=~"i-1.*"'],
    ['instance!~"i-1.*"'],
    ['instance=~"i-1"'],
    ['team=~"db.*"'],
    ['team!~"w.*"'],
    ['team=~".*"', 'env=~"prod-.*"'],
    ['nosuchlabel=~".*"'],
    ['nosuchlabel!~"x"'],
  ])('%s (and friends) lists exactly the alerts Alertmanager would match', async (...ms: string[]) => {
    const matchers = ms.flatMap((m) => parseMatcherList(m));
    const want = labelSets.filter((l) => matchesAll(matchers, l));
    const got = await list(ms);
    expect(got.partial).toBe(false);
    expect(got.total).toBe(want.length);
    expect(got.items.map((a) => a.labels.instance).sort()).toEqual(want.map((l) => l.instance).sort());
  });

  it('pages over a regex filter with an exact total', async () => {
    const want = labelSets.filter((l) => /^prod.*$/.test(l.env!)).length;
    const seen = new Set<string>();
    for (let offset = 0; offset < want; offset += 7) {
      const page = await list(['env=~"prod.*"'], `&offset=${offset}`.replace('limit=200', ''));
      expect(page.total).toBe(want);
      for (const a of page.items.slice(0, 7)) seen.add(a.labels.instance!);
    }
    expect(seen.size).toBe(want);
  });
});
