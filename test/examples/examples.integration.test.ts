import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../cli/helpers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * examples/ is what the README's tour applies on a fresh server. This applies it exactly as the tour
 * does (`mainstay apply -f examples/`, then the contact methods), so the examples cannot rot as the
 * schemas move: every document must apply with no error, re-applying must change nothing, and the
 * resources the tour talks about must be there and wired to each other.
 */

const EXAMPLES = path.resolve('examples');

const EXPECTED: Record<string, string[]> = {
  User: ['ann@example.com', 'ben@example.com'],
  Team: ['shop'],
  Check: ['shop-api', 'shop-payments'],
  Integration: ['shop-jobs'],
  Route: ['root'],
  Receiver: ['ops-log', 'shop-pager'],
  Schedule: ['shop-primary'],
  EscalationPolicy: ['shop-critical'],
  Channel: ['pager', 'shop-room'],
  Secret: ['pager-signing-key', 'shop-jobs-key'],
};

describe.each(engines())('examples/ on a fresh server on %s', (engine) => {
  let s: TestServer;
  let env: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON the API returned
  const get = async (p: string): Promise<any> => {
    const res = await fetch(`${s.url}${p}`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(res.status, `GET ${p}`).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    // No checks run: the examples' targets are loopback services this test does not start, and a
    // check going down here would page whatever listens on the example pager's port.
    s = await startTestServer({ engine, env: { MAINSTAY_CHECKS: 'false' } });
    env = { MAINSTAY_URL: s.url, MAINSTAY_TOKEN: s.adminToken };
  });
  afterAll(() => s?.close());

  it('the dry run plans every example resource and applies nothing', async () => {
    const r = await run(['apply', '-f', EXAMPLES, '--dry-run'], { env });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const total = Object.values(EXPECTED).flat().length;
    expect(r.stdout).toContain(`${total} to create, 0 to update, 0 to delete, 0 unchanged`);
    expect((await get('/api/v1/resources/Check')).total).toBe(0);
  });

  it('`mainstay apply -f examples/` applies cleanly, and again changes nothing', async () => {
    const first = await run(['apply', '-f', EXAMPLES], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\napplied\n$/);
    const again = await run(['apply', '-f', EXAMPLES], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 to create, 0 to update, 0 to delete, \d+ unchanged/);
  });

  it('every resource the tour names exists', async () => {
    for (const [kind, names] of Object.entries(EXPECTED)) {
      const list = await get(`/api/v1/resources/${kind}?limit=100`);
      const found = list.items.map((r: { metadata: { name: string } }) => r.metadata.name);
      for (const name of names) expect(found, kind).toContain(name);
    }
  });

  it('the pieces are wired as the tour says', async () => {
    const route = await get('/api/v1/resources/Route/root');
    expect(route.spec.routes).toEqual([expect.objectContaining({ matchers: ['team="shop"'], receiver: 'shop-pager' })]);
    const receiver = await get('/api/v1/resources/Receiver/shop-pager');
    expect(receiver.spec.escalationPolicy).toBe('shop-critical');
    const policy = await get('/api/v1/resources/EscalationPolicy/shop-critical');
    expect(policy.spec.levels[0].targets).toEqual([{ schedule: 'shop-primary' }]);
    expect(policy.spec.channels).toEqual(['shop-room']);
    for (const name of ['pager', 'shop-room']) {
      const channel = await get(`/api/v1/resources/Channel/${name}`);
      expect(channel.spec).toMatchObject({ type: 'webhook', signingSecret: 'pager-signing-key' });
      expect(channel.spec.url).toMatch(/^http:\/\/127\.0\.0\.1:9199\//);
    }
    const checks = await get('/api/v1/resources/Check?limit=100');
    for (const c of checks.items) expect(c.metadata.labels.team).toBe('shop');
    // Someone of the two is on call now, and the other is next.
    const oncall = await get('/api/v1/schedules/shop-primary/oncall');
    expect([oncall.onCall?.user, oncall.next?.user].sort()).toEqual(['ann@example.com', 'ben@example.com']);
  });

  it('the tour’s contact methods can be added, so a page reaches the pager', async () => {
    for (const user of ['ann@example.com', 'ben@example.com']) {
      const r = await run(['contacts', 'add', 'pager', '--channel', 'pager', '--user', user], { env });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('added contact method pager (webhook)\n');
    }
    const ls = await run(['contacts', 'ls', '--user', 'ann@example.com', '-o', 'json'], { env });
    expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ name: 'pager', channel: 'pager' })]);
    const wrong = await run(['contacts', 'add', 'sms', '--channel', 'no-such-channel', '--user', 'ann@example.com'], {
      env,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/no-such-channel/);
  });

  it('the integration key in the example Secret is the one the integration accepts', async () => {
    const secret = fs.readFileSync(path.join(EXAMPLES, 'alerts.yaml'), 'utf8').match(/value: ([0-9a-f]{32})/)?.[1];
    expect(secret).toBeDefined();
    const res = await fetch(`${s.url}/api/v1/integrations/shop-jobs/key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { key: string }).key).toBe(secret);
  });
});

describe('examples/services.mjs', () => {
  it('is valid JavaScript that needs no dependency', () => {
    const file = path.join(EXAMPLES, 'services.mjs');
    const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const imports = [...fs.readFileSync(file, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    for (const i of imports) expect(i).toMatch(/^node:/);
  });
});
