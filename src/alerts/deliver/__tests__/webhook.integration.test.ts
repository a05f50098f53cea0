import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebhookTarget, WebhookTargetSchema } from '../../config.model.js';
import { alertmanagerPayload } from '../notification.js';
import { deliverWebhook } from '../webhook.js';
import { alert, notification } from './support/fixtures.js';
import { closedPort, type RecordingServer, recordingServer } from './support/http-server.js';

const UA = 'Mainstay/0.1 (test)';
/** How late after its timeout a delivery may settle (event-loop jitter under parallel test files). */
const SETTLE_SLACK_MS = 400;

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function target(url: string, over: Partial<WebhookTarget> = {}): WebhookTarget {
  return WebhookTargetSchema.parse({ url, ...over });
}

async function answering(status: number, body = '', headers: Record<string, string> = {}) {
  server = await recordingServer((_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  });
  return server;
}

describe('deliverWebhook', () => {
  it('POSTs the Alertmanager v4 payload with the idempotency headers and the target headers', async () => {
    const s = await answering(200, 'thanks');
    const n = notification([alert(), alert()]);
    const t = target(s.url, { headers: { Authorization: 'Bearer t0k', 'Idempotency-Key': 'forged' } });
    const result = await deliverWebhook(s.url, t, n, { userAgent: UA });

    expect(result).toMatchObject({ ok: true, retryable: false, statusCode: 200, response: 'thanks' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(s.requests).toHaveLength(1);
    const [req] = s.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/hook');
    expect(req?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': UA,
      'idempotency-key': 'ntf_01HZX',
      'x-mainstay-notification': 'ntf_01HZX',
      authorization: 'Bearer t0k',
    });
    expect(JSON.parse(req?.body ?? '')).toEqual(alertmanagerPayload(n, 0));
    expect(JSON.parse(req?.body ?? '').version).toBe('4');
  });

  it('a target header replaces the User-Agent', async () => {
    const s = await answering(204);
    await deliverWebhook(s.url, target(s.url, { headers: { 'user-agent': 'custom' } }), notification([alert()]), {
      userAgent: UA,
    });
    expect(s.requests[0]?.headers['user-agent']).toBe('custom');
  });

  it('maxAlerts truncates the payload and counts the rest', async () => {
    const s = await answering(200);
    const alerts = [alert(), alert(), alert()];
    await deliverWebhook(s.url, target(s.url, { maxAlerts: 1 }), notification(alerts), { userAgent: UA });
    const body = JSON.parse(s.requests[0]?.body ?? '');
    expect(body.alerts.map((a: { fingerprint: string }) => a.fingerprint)).toEqual([alerts[0]?.fingerprint]);
    expect(body.truncatedAlerts).toBe(2);
  });

  it.each([
    { status: 500, retryable: true },
    { status: 503, retryable: true },
    { status: 408, retryable: true },
    { status: 429, retryable: true },
    { status: 400, retryable: false },
    { status: 401, retryable: false },
    { status: 404, retryable: false },
  ])('HTTP $status is a failure, retryable: $retryable', async ({ status, retryable }) => {
    const s = await answering(status, 'nope');
    const result = await deliverWebhook(s.url, target(s.url), notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable, statusCode: status, response: 'nope' });
    expect(result.error).toContain(String(status));
  });

  it('429 with Retry-After in seconds says how long to wait', async () => {
    const s = await answering(429, '', { 'Retry-After': '7' });
    const result = await deliverWebhook(s.url, target(s.url), notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
  });

  it('a redirect is not followed and not retried', async () => {
    const s = await answering(302, '', { Location: 'http://127.0.0.1:1/elsewhere' });
    const result = await deliverWebhook(s.url, target(s.url), notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable: false, statusCode: 302 });
    expect(result.error).toContain('redirect');
    expect(s.requests).toHaveLength(1);
  });

  it('keeps only the first 1 KiB of a large response', async () => {
    const s = await answering(500, 'x'.repeat(1 << 20));
    const result = await deliverWebhook(s.url, target(s.url), notification([alert()]), { userAgent: UA });
    expect(result.response).toBe('x'.repeat(1024));
  });

  it('a server that never answers times out after timeoutSeconds, retryable', async () => {
    server = await recordingServer(() => {});
    const started = performance.now();
    const result = await deliverWebhook(
      server.url,
      target(server.url, { timeoutSeconds: 1 }),
      notification([alert()]),
      {
        userAgent: UA,
      },
    );
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('within 1 s');
    expect(server.requests).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1000 + SETTLE_SLACK_MS);
  });

  it("the caller's signal aborts an attempt in flight, retryable", async () => {
    server = await recordingServer(() => {});
    const controller = new AbortController();
    server.nextRequest().then(() => controller.abort(new Error('shutting down')));
    const result = await deliverWebhook(server.url, target(server.url), notification([alert()]), {
      userAgent: UA,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('shutting down');
  });

  it('a refused connection is retryable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook`;
    const result = await deliverWebhook(url, target(url), notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('a header undici refuses to send is not retryable', async () => {
    const s = await answering(200);
    const t = target(s.url, { headers: { 'Transfer-Encoding': 'gzip' } });
    const result = await deliverWebhook(s.url, t, notification([alert()]), { userAgent: UA });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(s.requests).toHaveLength(0);
  });
});
