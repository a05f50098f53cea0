import { afterEach, describe, expect, it } from 'vitest';
import { sendToChannel } from '../index.js';
import { verifyWebhookSignature, webhookPayload } from '../webhook.channel.js';
import { answer, type FakeServer, fakeServer } from './support/fake-server.js';
import { channel, context, NOW, page, UA } from './support/fixtures.js';

const SIGNING = 'whsec-7f3a9c2e5b1d';
const NOW_S = NOW / 1000;

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('webhook channel', () => {
  it('POSTs the v1 payload with idempotency, event and timestamp headers and a verifiable signature', async () => {
    server = await fakeServer(answer(200, 'thanks'));
    const spec = channel({
      type: 'webhook',
      url: `${server.base}/hooks/mainstay`,
      signingSecret: 'hook-signing',
      headers: { Authorization: 'Bearer receiver-token', 'Idempotency-Key': 'forged', 'X-Mainstay-Event': 'forged' },
    });
    const msg = page();
    const result = await sendToChannel(spec, undefined, msg, context({ 'hook-signing': SIGNING }));

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 200, response: 'thanks' });
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/hooks/mainstay');
    expect(req?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': UA,
      authorization: 'Bearer receiver-token',
      'idempotency-key': 'dlv_01HZX',
      'x-mainstay-event': 'incident.triggered',
      'x-mainstay-timestamp': String(NOW_S),
    });
    const body = JSON.parse(req?.body ?? '');
    expect(body).toEqual({
      version: '1',
      id: 'dlv_01HZX',
      event: 'incident.triggered',
      at: msg.at,
      title: msg.title,
      text: msg.text,
      incident: msg.incident,
      links: msg.links,
      recipient: msg.recipient,
    });
    expect(body).toEqual(webhookPayload(msg));

    const signature = req?.headers['x-mainstay-signature'] as string;
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    const timestamp = req?.headers['x-mainstay-timestamp'] as string;
    expect(verifyWebhookSignature(SIGNING, timestamp, req?.body ?? '', signature, NOW)).toBe(true);
  });

  it('the verifier rejects a tampered body, another timestamp, another secret and an expired timestamp', async () => {
    server = await fakeServer(answer(204));
    const spec = channel({ type: 'webhook', url: `${server.base}/h`, signingSecret: 'hook-signing' });
    await sendToChannel(spec, undefined, page(), context({ 'hook-signing': SIGNING }));
    const req = server.requests[0];
    const raw = req?.body ?? '';
    const sig = req?.headers['x-mainstay-signature'] as string;
    const ts = req?.headers['x-mainstay-timestamp'] as string;

    expect(verifyWebhookSignature(SIGNING, ts, raw.replace('SEV2', 'SEV4'), sig, NOW)).toBe(false);
    expect(verifyWebhookSignature(SIGNING, String(NOW_S + 1), raw, sig, NOW)).toBe(false);
    expect(verifyWebhookSignature('whsec-other', ts, raw, sig, NOW)).toBe(false);
    // A capture replayed six minutes later: the signature still matches, the timestamp does not.
    expect(verifyWebhookSignature(SIGNING, ts, raw, sig, NOW + 301_000)).toBe(false);
    expect(verifyWebhookSignature(SIGNING, ts, raw, sig, NOW + 299_000)).toBe(true);
    expect(verifyWebhookSignature(SIGNING, ts, raw, `v1=${'0'.repeat(64)},${sig}`, NOW)).toBe(true);
    expect(verifyWebhookSignature(SIGNING, ts, raw, undefined, NOW)).toBe(false);
    expect(verifyWebhookSignature(SIGNING, 'soon', raw, sig, NOW)).toBe(false);
  });

  it('sends no signature header without a signingSecret', async () => {
    server = await fakeServer(answer(200));
    await sendToChannel(channel({ type: 'webhook', url: `${server.base}/h` }), undefined, page(), context());
    expect(server.requests[0]?.headers['x-mainstay-signature']).toBeUndefined();
  });

  it('a test message without incident or recipient sends them as null', async () => {
    server = await fakeServer(answer(200));
    const msg = { ...page({ event: 'test', title: 'Test notification' }), incident: undefined, recipient: undefined };
    await sendToChannel(channel({ type: 'webhook', url: `${server.base}/h` }), undefined, msg, context());
    expect(JSON.parse(server.requests[0]?.body ?? '')).toMatchObject({
      event: 'test',
      incident: null,
      recipient: null,
    });
    expect(server.requests[0]?.headers['x-mainstay-event']).toBe('test');
  });

  it('reads the URL from urlSecret', async () => {
    server = await fakeServer(answer(200));
    const spec = channel({ type: 'webhook', urlSecret: 'hook-url' });
    const result = await sendToChannel(spec, undefined, page(), context({ 'hook-url': `${server.base}/secret-path` }));
    expect(result.ok).toBe(true);
    expect(server.requests[0]?.path).toBe('/secret-path');
  });

  it('a missing secret fails without a request, not retryable, naming the secret', async () => {
    const spec = channel({ type: 'webhook', urlSecret: 'hook-url' });
    const result = await sendToChannel(spec, undefined, page(), context());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('hook-url');
  });

  it('a secret store that fails is retryable', async () => {
    const spec = channel({ type: 'webhook', urlSecret: 'hook-url' });
    const ctx = context({}, { reveal: () => Promise.reject(new Error('database is locked')) });
    const result = await sendToChannel(spec, undefined, page(), ctx);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('database is locked');
  });

  it('a URL secret with credentials is refused without a request, and without quoting it', async () => {
    server = await fakeServer(answer(200));
    const secretUrl = `http://admin:hunter2-pw@127.0.0.1:${new URL(server.base).port}/h`;
    const spec = channel({ type: 'webhook', urlSecret: 'hook-url' });
    const result = await sendToChannel(spec, undefined, page(), context({ 'hook-url': secretUrl }));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('Authorization header');
    expect(result.error).not.toContain('hunter2-pw');
    expect(server.requests).toHaveLength(0);
  });
});
