import type { DeliveryTargets } from './invariants.js';
import type { LoadSpec } from './load.js';
import { request } from './load.js';
import { ADMIN } from './process.js';

/**
 * The crash tests' setup, through the API of a running instance: two on-call users paged through a
 * webhook channel, a schedule, an escalation policy that escalates after a minute and re-triggers an
 * acknowledgement not resolved within a minute (and tells a room channel), a route tree with a
 * paging receiver (escalation policy + webhook), a two-target webhook receiver and a default one,
 * PagerDuty and Alertmanager integrations, and HTTP checks every 5 s against the check target.
 */

const doc = (kind: string, name: string, spec: unknown, labels?: Record<string, string>) => ({
  apiVersion: 'mainstay/v1',
  kind,
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});

export const ESCALATION_RECEIVERS = ['ops-pager'] as const;
export const POLICIES = { ops: { levels: 2, repeat: 0 } };
export const INTEGRATIONS = { pagerduty: 'pd', alertmanager: 'am' };

export function crashDocuments(hookUrl: string, targetUrl: string) {
  const alice = 'alice@example.test';
  const bob = 'bob@example.test';
  const check = (name: string) =>
    doc(
      'Check',
      name,
      { kind: 'http', target: { url: `${targetUrl}/${name}` }, intervalSeconds: 5, timeoutSeconds: 2 },
      { team: 'ops', service: name },
    );
  return [
    doc('Channel', 'pager', { type: 'webhook', url: `${hookUrl}/page` }),
    doc('Channel', 'room', { type: 'webhook', url: `${hookUrl}/room` }),
    doc('Schedule', 'primary', {
      timeZone: 'UTC',
      layers: [
        {
          name: 'everyone',
          rotation: { every: 1, unit: 'days', start: '2026-01-01', handoff: '00:00', participants: [alice, bob] },
        },
      ],
    }),
    doc('EscalationPolicy', 'ops', {
      levels: [
        { escalateAfterMinutes: 1, targets: [{ schedule: 'primary' }] },
        { escalateAfterMinutes: 1, targets: [{ user: bob }] },
      ],
      ackTimeoutMinutes: 1,
      channels: ['room'],
    }),
    doc('Receiver', 'ops-pager', { escalationPolicy: 'ops', webhooks: [{ url: `${hookUrl}/am/ops` }] }),
    doc('Receiver', 'web-hook', { webhooks: [{ url: `${hookUrl}/am/web-a` }, { url: `${hookUrl}/am/web-b` }] }),
    doc('Receiver', 'default-hook', { webhooks: [{ url: `${hookUrl}/am/default` }] }),
    doc('Route', 'root', {
      receiver: 'default-hook',
      groupBy: ['group', 'alertname'],
      groupWait: '1s',
      groupInterval: '2s',
      repeatInterval: '4h',
      routes: [
        { matchers: ['team="ops"'], receiver: 'ops-pager', groupBy: ['service'] },
        { matchers: ['class="ops"'], receiver: 'ops-pager', groupBy: ['group'] },
        { matchers: ['team="web"'], receiver: 'web-hook', groupBy: ['alertname', 'instance'] },
      ],
    }),
    doc('Integration', INTEGRATIONS.pagerduty, { type: 'pagerduty', rateLimitPerMinute: 0 }),
    doc('Integration', INTEGRATIONS.alertmanager, { type: 'alertmanager', rateLimitPerMinute: 0 }),
    check('svc-a'),
    check('svc-b'),
    check('sticky-check'),
  ];
}

/** Where each receiver and channel of crashDocuments posts, for checkDeliveries. */
export const DELIVERY_TARGETS: DeliveryTargets = {
  receivers: {
    'ops-pager': ['/am/ops'],
    'web-hook': ['/am/web-a', '/am/web-b'],
    'default-hook': ['/am/default'],
  },
  channels: { pager: '/page', room: '/room' },
};

async function must(base: string, method: string, path: string, body?: unknown, token?: string) {
  const a = await request(base, method, path, { body, ...(token ? { token } : {}) });
  if (a instanceof Error || a.status >= 300) {
    throw new Error(`${method} ${path}: ${a instanceof Error ? a.message : `${a.status} ${JSON.stringify(a.body)}`}`);
  }
  return a.body;
}

/** An admin API token for the first admin of a fresh instance. */
export async function adminToken(base: string): Promise<string> {
  const body = await must(base, 'POST', '/api/v1/auth/token', { ...ADMIN, name: 'crash', scope: 'admin' });
  return body.token as string;
}

/** Creates the users, their contact methods and every resource; returns what the load driver needs. */
export async function setUpScenario(
  base: string,
  token: string,
  hookUrl: string,
  targetUrl: string,
): Promise<Omit<LoadSpec, 'token'> & { token: string }> {
  const users: string[] = [];
  for (const who of ['alice', 'bob']) {
    const user = await must(
      base,
      'POST',
      '/api/v1/users',
      { email: `${who}@example.test`, name: who, role: 'responder', password: 'a long test password' },
      token,
    );
    users.push(user.id);
  }
  // The schedule names the users; the contact methods name the channel.
  const documents = crashDocuments(hookUrl, targetUrl).map((document, i) => ({
    source: `crash.yaml#${i + 1}`,
    document,
  }));
  await must(base, 'POST', '/api/v1/apply', { documents }, token);
  for (const id of users)
    await must(base, 'POST', `/api/v1/users/${id}/contact-methods`, { name: 'pager', channel: 'pager' }, token);
  const key = async (name: string) =>
    (await must(base, 'POST', `/api/v1/integrations/${name}/key`, undefined, token)).key as string;
  const pd = [];
  for (const group of ['g1', 'g2', 'g3'])
    for (let i = 0; i < 3; i++) pd.push({ dedupKey: `ops-${group}-${i}`, class: 'ops', group });
  for (let i = 0; i < 3; i++) pd.push({ dedupKey: `web-${i}`, class: 'web', group: 'web' });
  return {
    token,
    pdKey: await key(INTEGRATIONS.pagerduty),
    amKey: await key(INTEGRATIONS.alertmanager),
    pd,
    am: [
      { name: 'Ops1', team: 'ops', alerts: 3 },
      { name: 'Ops2', team: 'ops', alerts: 2 },
      { name: 'Web1', team: 'web', alerts: 3 },
      { name: 'Web2', team: 'web', alerts: 2 },
    ],
    flapping: ['/svc-a', '/svc-b'],
    failing: ['/sticky-check'],
    sticky: [
      { dedupKey: 'sticky-esc', class: 'ops', group: 'sticky-esc' },
      { dedupKey: 'sticky-ack', class: 'ops', group: 'sticky-ack' },
    ],
    ackOnce: 'sticky-ack',
    noAckPrefix: 'sticky',
  };
}
