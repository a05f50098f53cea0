import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelSpec } from '../../channel.model.js';
import { sendToChannel } from '../index.js';
import { answer, closedPort, type FakeServer, fakeServer, type Responder, silent } from './support/fake-server.js';
import { channel, context, page } from './support/fixtures.js';

/**
 * The failure semantics every HTTP channel shares, table-driven over the types: what is retried,
 * what waits for Retry-After, what times out, and that no secret reaches the result.
 */

/** How late after its timeout a send may settle (event-loop jitter under parallel test files). */
const SETTLE_SLACK_MS = 400;

const SECRET_URL_PART = 'Zq9SecretPathPart';
const TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSecretTok';
const SECRETS: Record<string, string> = { token: TOKEN, signing: 'whsec-signing-value' };

interface Case {
  type: ChannelSpec['type'];
  address?: string;
  spec(base: string): ChannelSpec;
  /** Secret values this channel reveals, which must not appear in any result. */
  secret: string;
}

const SID = 'AC0123456789abcdef0123456789abcdef';
const cases: Case[] = [
  {
    type: 'webhook',
    spec: () => channel({ type: 'webhook', urlSecret: 'url', signingSecret: 'signing', timeoutSeconds: 1 }),
    secret: SECRET_URL_PART,
  },
  {
    type: 'slack',
    spec: () => channel({ type: 'slack', urlSecret: 'url', timeoutSeconds: 1 }),
    secret: SECRET_URL_PART,
  },
  {
    type: 'teams',
    spec: () => channel({ type: 'teams', urlSecret: 'url', timeoutSeconds: 1 }),
    secret: SECRET_URL_PART,
  },
  {
    type: 'ntfy',
    address: 'ops',
    spec: (base) => channel({ type: 'ntfy', baseUrl: base, tokenSecret: 'token', timeoutSeconds: 1 }),
    secret: TOKEN,
  },
  {
    type: 'telegram',
    address: '42',
    spec: (base) => channel({ type: 'telegram', baseUrl: base, botTokenSecret: 'token', timeoutSeconds: 1 }),
    secret: TOKEN,
  },
  ...(['sms', 'voice'] as const).map(
    (type): Case => ({
      type,
      address: '+14155550123',
      spec: (base) =>
        channel({
          type,
          baseUrl: base,
          accountSid: SID,
          authTokenSecret: 'token',
          from: '+14155550100',
          timeoutSeconds: 1,
        }),
      secret: TOKEN,
    }),
  ),
];

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends the case's page to `base` (a fake server, or a closed port); the URL secrets point there too. */
function send(c: Case, base: string) {
  const secrets = { ...SECRETS, url: `${base}/hooks/${SECRET_URL_PART}` };
  return sendToChannel(c.spec(base), c.address, page(), context(secrets));
}

async function sendTo(c: Case, respond: Responder) {
  server = await fakeServer(respond);
  return send(c, server.base);
}

describe.each(cases)('$type channel failures', (c) => {
  it('5xx is retryable', async () => {
    const result = await sendTo(c, answer(502, 'bad gateway'));
    expect(result).toMatchObject({ ok: false, retryable: true, statusCode: 502 });
    expect(JSON.stringify(result)).not.toContain(c.secret);
  });

  it('429 is retryable and honours Retry-After', async () => {
    const result = await sendTo(c, answer(429, 'slow down', { 'Retry-After': '12' }));
    expect(result).toMatchObject({ ok: false, retryable: true, statusCode: 429, retryAfterMs: 12_000 });
  });

  it('a 4xx is not retryable, with the answer in the error', async () => {
    const result = await sendTo(c, answer(403, 'channel says no'));
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 403, response: 'channel says no' });
    expect(result.error).toContain('channel says no');
    expect(JSON.stringify(result)).not.toContain(c.secret);
  });

  it('a server that never answers times out after timeoutSeconds, retryable', async () => {
    const started = performance.now();
    const result = await sendTo(c, silent);
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('within 1 s');
    expect(server?.requests).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1000 + SETTLE_SLACK_MS);
  });

  it('a refused connection is retryable, and says so without the secret', async () => {
    const result = await send(c, `http://127.0.0.1:${await closedPort()}`);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('ECONNREFUSED');
    expect(JSON.stringify(result)).not.toContain(c.secret);
  });

  it("the caller's signal aborts an attempt in flight, retryable", async () => {
    server = await fakeServer(silent);
    const controller = new AbortController();
    const secrets = { ...SECRETS, url: `${server.base}/hooks/${SECRET_URL_PART}` };
    const pending = sendToChannel(
      c.spec(server.base),
      c.address,
      page(),
      context(secrets, { signal: controller.signal }),
    );
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    const result = await pending;
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('shutting down');
  });
});

describe('sendToChannel addresses', () => {
  it('an invalid address fails before any request, not retryable', async () => {
    server = await fakeServer(answer(200));
    const spec = channel({ type: 'ntfy', baseUrl: server.base, topic: 'ops' });
    const result = await sendToChannel(spec, 'not a topic!', page(), context());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('ntfy topic');
    expect(server.requests).toHaveLength(0);
  });

  it('an address for a channel without per-user addresses is refused', async () => {
    const result = await sendToChannel(channel({ type: 'slack', urlSecret: 'url' }), '#ops', page(), context());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('no per-user address');
  });

  it('no address and no default fails, not retryable', async () => {
    const spec = channel({ type: 'sms', accountSid: SID, authTokenSecret: 'token', from: '+14155550100' });
    const result = await sendToChannel(spec, undefined, page(), context(SECRETS));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('no address');
  });

  it('an empty address falls back to the default', async () => {
    server = await fakeServer(answer(200));
    const spec = channel({ type: 'ntfy', baseUrl: server.base, topic: 'ops' });
    const result = await sendToChannel(spec, '', page(), context());
    expect(result.ok).toBe(true);
    expect(JSON.parse(server.requests[0]?.body ?? '').topic).toBe('ops');
  });

  it('a spec that skipped the schema fails instead of throwing', async () => {
    const result = await sendToChannel({ type: 'pager' } as unknown as ChannelSpec, undefined, page(), context());
    expect(result).toMatchObject({ ok: false, retryable: false });
  });
});
