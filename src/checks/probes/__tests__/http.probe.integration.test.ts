import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpSpec, HttpSpecSchema } from '../../check.model.js';
import { httpProbe } from '../http.probe.js';
import {
  makePki,
  type Pki,
  probeContext,
  refusedPort,
  SETTLE_SLACK_MS,
  startHttpServer,
  startHttpsServer,
  startTcpServer,
  type TcpTestServer,
  type TestServer,
  timed,
} from './support/servers.js';

let pki: Pki;
let web: TestServer;
let secure: TestServer;
let expired: TestServer;
let wrongHost: TestServer;
let expiring: TestServer;
let silent: TcpTestServer;
let garbage: TcpTestServer;

beforeAll(async () => {
  pki = makePki();
  [web, secure, expired, wrongHost, expiring, silent, garbage] = await Promise.all([
    startHttpServer(),
    startHttpsServer(pki.valid),
    startHttpsServer(pki.expired),
    startHttpsServer(pki.wrongHost),
    startHttpsServer(pki.expiringSoon),
    startTcpServer(),
    startTcpServer((s) => s.once('data', () => s.end('this is not HTTP at all\r\n\r\n'))),
  ]);
});
afterAll(async () => {
  await Promise.all([web, secure, expired, wrongHost, expiring, silent, garbage].map((s) => s?.close()));
  pki?.cleanup();
});

/** Every spec goes through the real schema, so defaults are the ones users get. */
const spec = (fields: Partial<HttpSpec> & { url: string }): HttpSpec => HttpSpecSchema.parse(fields);
const probe = (fields: Partial<HttpSpec> & { url: string }, timeoutMs = 3000, secrets: Record<string, string> = {}) =>
  timed(() => httpProbe(spec(fields), probeContext(timeoutMs, secrets)));

describe('http probe: requests and status', () => {
  it('a 200 is up with status, size and per-phase timings, and no body excerpt', async () => {
    const { result } = await probe({ url: `${web.url}/ok` });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^200 OK, 19 B in [\d.]+ ms$/);
    expect(result.details).toEqual({ statusCode: 200, size: 19, truncated: false });
    expect(result.timings?.connectMs).toBeGreaterThanOrEqual(0);
    expect(result.timings?.firstByteMs).toBeGreaterThanOrEqual(0);
    expect(result.timings?.dnsMs).toBeUndefined();
    expect(result.latencyMs).toBe(result.timings?.totalMs);
  });

  it.each([
    [[200], 200, true],
    [['2xx'], 204, true],
    [['200-299'], 299, true],
    [['5xx'], 503, true],
    [[200, '3xx'], 404, false],
    [['200-299'], 500, false],
  ] as const)('expectStatus %j with status %i: up = %s', async (expectStatus, status, ok) => {
    const { result } = await probe({ url: `${web.url}/status/${status}`, expectStatus: [...expectStatus] });
    expect(result.ok).toBe(ok);
  });

  it('an unexpected status fails as an assertion with the status and a body excerpt', async () => {
    const { result } = await probe({ url: `${web.url}/status/503` });
    expect(result.error).toEqual({ phase: 'assertion', code: 'unexpected_status' });
    expect(result.message).toBe('status 503 Service Unavailable, expected 200-299');
    expect(result.details).toMatchObject({ statusCode: 503, bodyExcerpt: 'status 503 body' });
  });

  it('sends the method, headers and body, with a default User-Agent', async () => {
    const { result } = await probe({
      url: `${web.url}/echo?q=1`,
      method: 'PUT',
      headers: { 'X-Request-Id': 'abc' },
      body: '{"hello":1}',
      json: [
        { path: '$.method', op: '==', value: 'PUT' },
        { path: '$.path', op: '==', value: '/echo?q=1' },
        { path: '$.body', op: '==', value: '{"hello":1}' },
        { path: '$.headers.x-request-id', op: '==', value: 'abc' },
        { path: '$.headers.user-agent', op: 'matches', value: '^Mainstay-Probe/' },
        { path: '$.headers.content-length', op: '==', value: '11' },
      ],
    });
    expect(result.message).not.toMatch(/expected/);
    expect(result.ok).toBe(true);
  });

  it('a header value Node refuses to send fails as configuration, not a throw', async () => {
    const { result } = await probe({ url: `${web.url}/ok`, headers: { 'X-Bad': 'line\r\nInjected: yes' } });
    expect(result.error).toEqual({ phase: 'config', code: 'ERR_INVALID_CHAR' });
    expect(result.message).toMatch(/^the request could not be built: /);
  });

  it('connection refused fails in the connect phase with ECONNREFUSED', async () => {
    const port = await refusedPort();
    const { result } = await probe({ url: `http://127.0.0.1:${port}/` });
    expect(result.error).toEqual({ phase: 'connect', code: 'ECONNREFUSED' });
    expect(result.message).toBe(`connection to 127.0.0.1:${port} refused (ECONNREFUSED)`);
  });

  it('a name that does not resolve fails in the dns phase within the timeout', async () => {
    const { result, elapsedMs } = await probe({ url: 'http://no-such-host.invalid/' }, 2000);
    expect(result.error?.phase).toBe('dns');
    expect(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'timeout']).toContain(result.error?.code);
    expect(result.message).toMatch(/^DNS lookup of no-such-host\.invalid /);
    expect(elapsedMs).toBeLessThan(2000 + SETTLE_SLACK_MS);
  });

  it('a reply that is not HTTP fails in the response phase with the parser code', async () => {
    const { result } = await probe({ url: `http://127.0.0.1:${garbage.port}/` });
    expect(result.error?.phase).toBe('response');
    expect(result.error?.code).toMatch(/^HPE_/);
    expect(result.message).toMatch(/^invalid HTTP response from 127\.0\.0\.1:\d+/);
  });
});

describe('http probe: authentication', () => {
  it('basic auth takes the password from the named secret', async () => {
    const { result } = await probe(
      { url: `${web.url}/basic`, auth: { type: 'basic', username: 'alice', passwordSecret: 'alice-pw' } },
      3000,
      { 'alice-pw': 's3cret' },
    );
    expect(result.ok).toBe(true);
  });

  it('rejected credentials fail in the auth phase', async () => {
    const { result } = await probe(
      { url: `${web.url}/basic`, auth: { type: 'basic', username: 'alice', passwordSecret: 'alice-pw' } },
      3000,
      { 'alice-pw': 'wrong' },
    );
    expect(result.error).toEqual({ phase: 'auth', code: 'auth_rejected' });
    expect(result.message).toBe('status 401 Unauthorized: the server refused the basic credentials (expected 200-299)');
  });

  it('bearer auth sends the token from the named secret', async () => {
    const auth = { type: 'bearer' as const, tokenSecret: 'api-token' };
    const good = await probe({ url: `${web.url}/bearer`, auth }, 3000, { 'api-token': 'tok-123' });
    expect(good.result.ok).toBe(true);
    const bad = await probe({ url: `${web.url}/bearer`, auth }, 3000, { 'api-token': 'nope' });
    expect(bad.result.error?.code).toBe('auth_rejected');
  });

  it('a secret that does not exist fails as configuration without connecting', async () => {
    const before = web.requests.length;
    const { result } = await probe({ url: `${web.url}/bearer`, auth: { type: 'bearer', tokenSecret: 'missing' } });
    expect(result.error).toEqual({ phase: 'config', code: 'secret_unavailable' });
    expect(result.message).toBe('could not read secret "missing": secret missing does not exist');
    expect(web.requests.length).toBe(before);
  });
});

describe('http probe: redirects', () => {
  it('follows a redirect chain within maxRedirects and reports the hops', async () => {
    const { result } = await probe({ url: `${web.url}/redirect/3` });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^200 OK, 7 B in [\d.]+ ms, after 3 redirects$/);
    expect(result.details.redirects).toEqual([
      { url: `${web.url}/redirect/3`, statusCode: 302 },
      { url: `${web.url}/redirect/2`, statusCode: 302 },
      { url: `${web.url}/redirect/1`, statusCode: 302 },
    ]);
    expect(result.details.url).toBe(`${web.url}/redirect/0`);
  });

  it('more redirects than maxRedirects fail with too_many_redirects', async () => {
    const { result } = await probe({ url: `${web.url}/redirect/5`, maxRedirects: 2 });
    expect(result.error).toEqual({ phase: 'redirect', code: 'too_many_redirects' });
    expect(result.message).toBe('more than 2 redirects (maxRedirects); the next was 302 to /redirect/2');
  });

  it('a redirect loop fails with redirect_loop and the loop, long before the timeout', async () => {
    const { result, elapsedMs } = await probe({ url: `${web.url}/loop/a`, maxRedirects: 20 }, 3000);
    expect(result.error).toEqual({ phase: 'redirect', code: 'redirect_loop' });
    expect(result.message).toBe('redirect loop: /loop/a → /loop/b → /loop/a');
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('with followRedirects off the redirect itself is the response', async () => {
    const off = { url: `${web.url}/redirect/1`, followRedirects: false };
    expect((await probe({ ...off, expectStatus: [302] })).result.ok).toBe(true);
    const { result } = await probe(off);
    expect(result.error?.code).toBe('unexpected_status');
    expect(result.message).toBe('status 302 Found, expected 200-299');
  });

  it('a 303 after a POST continues as a GET without the body', async () => {
    const { result } = await probe({
      url: `${web.url}/see-other`,
      method: 'POST',
      body: 'payload',
      json: [
        { path: '$.method', op: '==', value: 'GET' },
        { path: '$.body', op: '==', value: '' },
      ],
    });
    expect(result.ok).toBe(true);
  });

  it('credentials are not sent on to another origin', async () => {
    const other = `http://localhost:${web.port}/echo`;
    const { result } = await probe(
      {
        url: `${web.url}/to?url=${encodeURIComponent(other)}`,
        auth: { type: 'bearer', tokenSecret: 't' },
        headers: { Cookie: 'session=1', 'X-Kept': 'yes' },
        json: [
          { path: '$.headers.authorization', op: 'not_exists' },
          { path: '$.headers.cookie', op: 'not_exists' },
          { path: '$.headers.x-kept', op: '==', value: 'yes' },
        ],
      },
      3000,
      { t: 'tok-123' },
    );
    expect(result.message).not.toMatch(/exists/);
    expect(result.ok).toBe(true);
    expect(result.timings?.dnsMs).toBeGreaterThanOrEqual(0);
  });

  it('a Location that is not an http(s) URL fails with invalid_redirect', async () => {
    const { result } = await probe({ url: `${web.url}/bad-location` });
    expect(result.error).toEqual({ phase: 'redirect', code: 'invalid_redirect' });
  });
});

describe('http probe: bodies', () => {
  it('an endless body is cut at maxBodyBytes and the check still passes its status check', async () => {
    const { result, elapsedMs } = await probe({ url: `${web.url}/endless`, maxBodyBytes: 100_000 }, 3000);
    expect(result.ok).toBe(true);
    expect(result.details).toEqual({ statusCode: 200, size: 100_000, truncated: true });
    expect(result.message).toMatch(/^200 OK, 100\.0 kB \(cut at 100\.0 kB\) in /);
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('an endless body with a body assertion reads only maxBodyBytes and reports the excerpt', async () => {
    const { result } = await probe({ url: `${web.url}/endless`, maxBodyBytes: 50_000, bodyContains: ['never'] });
    expect(result.error).toEqual({ phase: 'assertion', code: 'body_missing_text' });
    expect(result.message).toBe('body does not contain "never" (in the first 50.0 kB read)');
    expect(result.details.bodyExcerpt).toBe('y'.repeat(1024));
  });

  it('a body of exactly maxBodyBytes is not truncated; one byte more is', async () => {
    const exact = await probe({ url: `${web.url}/large?bytes=5000`, maxBodyBytes: 5000 });
    expect(exact.result.details).toMatchObject({ size: 5000, truncated: false });
    const over = await probe({ url: `${web.url}/large?bytes=5001`, maxBodyBytes: 5000 });
    expect(over.result.details).toMatchObject({ size: 5000, truncated: true });
  });

  it('body contains, not contains and regex pass, and each failure names the text', async () => {
    const url = `${web.url}/ok`;
    const ok = await probe({ url, bodyContains: ['hello'], bodyNotContains: ['error'], bodyRegex: 'from \\w+$' });
    expect(ok.result.ok).toBe(true);
    const { result } = await probe({ url, bodyContains: ['bye'], bodyNotContains: ['hello'], bodyRegex: '^\\d+$' });
    expect(result.error).toEqual({ phase: 'assertion', code: 'body_missing_text' });
    expect(result.message).toBe('body does not contain "bye" (and 2 more)');
    expect(result.details.failures).toEqual([
      'body does not contain "bye"',
      'body contains "hello"',
      'body does not match /^\\d+$/',
    ]);
    expect(result.details.bodyExcerpt).toBe('hello from mainstay');
  });

  it('JSON assertions are evaluated on the body and name the path that failed', async () => {
    const url = `${web.url}/json`;
    const ok = await probe({
      url,
      json: [
        { path: '$.status', op: '==', value: 'ok' },
        { path: '$.items[1].name', op: '==', value: 'second' },
        { path: '$["key with spaces"]', op: '==', value: true },
      ],
    });
    expect(ok.result.ok).toBe(true);
    const { result } = await probe({ url, json: [{ path: '$.queue.depth', op: '<', value: 100 }] });
    expect(result.error).toEqual({ phase: 'assertion', code: 'json_assertion' });
    expect(result.message).toBe('$.queue.depth is 140, expected < 100');
  });

  it('JSON assertions on a body that is not JSON fail with json_invalid', async () => {
    const { result } = await probe({ url: `${web.url}/ok`, json: [{ path: '$.status', op: 'exists' }] });
    expect(result.error).toEqual({ phase: 'assertion', code: 'json_invalid' });
    expect(result.message).toMatch(/^body is not JSON: /);
  });

  it('a body cut short by the server fails in the body phase', async () => {
    const { result } = await probe({ url: `${web.url}/cut-body` });
    expect(result.error).toEqual({ phase: 'body', code: 'incomplete_body' });
    expect(result.message).toBe('the connection closed after 10 B of the body');
  });
});

describe('http probe: timeouts settle within the timeout with the phase that hung', () => {
  it('response headers that never arrive fail in the response phase', async () => {
    const { result, elapsedMs } = await probe({ url: `${web.url}/slow-headers?ms=5000` }, 400);
    expect(result.error).toEqual({ phase: 'response', code: 'timeout' });
    expect(result.message).toBe('sent the request, but no response headers arrived within 400 ms');
    expect(elapsedMs).toBeGreaterThanOrEqual(390);
    expect(elapsedMs).toBeLessThan(400 + SETTLE_SLACK_MS);
  });

  it('a body that never ends fails in the body phase with what was read', async () => {
    const { result, elapsedMs } = await probe({ url: `${web.url}/slow-body` }, 400);
    expect(result.error).toEqual({ phase: 'body', code: 'timeout' });
    expect(result.message).toBe(
      'response headers arrived (200 OK), but the body did not end within 400 ms (32 B read)',
    );
    expect(result.details).toMatchObject({ statusCode: 200, bodyExcerpt: 'the first part, and then nothing' });
    expect(elapsedMs).toBeLessThan(400 + SETTLE_SLACK_MS);
  });

  it('a TLS handshake that never finishes fails in the tls phase', async () => {
    const { result, elapsedMs } = await probe({ url: `https://127.0.0.1:${silent.port}/` }, 400);
    expect(result.error).toEqual({ phase: 'tls', code: 'timeout' });
    expect(result.message).toBe('TLS handshake did not finish within 400 ms');
    expect(result.timings?.connectMs).toBeGreaterThanOrEqual(0);
    expect(elapsedMs).toBeLessThan(400 + SETTLE_SLACK_MS);
  });

  it('a response slower than maxResponseMs fails with too_slow', async () => {
    const { result } = await probe({ url: `${web.url}/slow-headers?ms=150`, maxResponseMs: 50 });
    expect(result.error).toEqual({ phase: 'assertion', code: 'too_slow' });
    expect(result.message).toMatch(/^response took [\d.]+ ms, more than maxResponseMs 50$/);
  });
});

describe('http probe: https and certificates', () => {
  it('a certificate from a custom CA is accepted and reported', async () => {
    const { result } = await probe({ url: `${secure.url}/ok`, tls: { verify: true, ca: pki.ca } });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.timings?.tlsMs).toBeGreaterThan(0);
    expect(result.certificate).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'CN=Mainstay Test CA',
      altNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
      chainValid: true,
      hostnameMatches: true,
      expiry: 'ok',
    });
    expect(result.certificate?.daysLeft).toBeGreaterThanOrEqual(364);
  });

  it('by host name: resolves localhost, sends SNI and matches the DNS name', async () => {
    const { result } = await probe({ url: `https://localhost:${secure.port}/ok`, tls: { verify: true, ca: pki.ca } });
    expect(result.ok).toBe(true);
    expect(result.timings?.dnsMs).toBeGreaterThanOrEqual(0);
  });

  it('without the CA the chain does not verify: tls phase with the OpenSSL code, certificate reported', async () => {
    const { result } = await probe({ url: `${secure.url}/ok` });
    expect(result.error).toEqual({ phase: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(result.message).toMatch(/^certificate chain does not verify: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect(result.certificate).toMatchObject({ chainValid: false, chainError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('an expired certificate fails with CERT_HAS_EXPIRED and the request is never sent', async () => {
    const before = expired.requests.length;
    const { result } = await probe(
      { url: `${expired.url}/bearer`, tls: { verify: true, ca: pki.ca }, auth: { type: 'bearer', tokenSecret: 't' } },
      3000,
      { t: 'tok-123' },
    );
    expect(result.error).toEqual({ phase: 'tls', code: 'CERT_HAS_EXPIRED' });
    expect(result.message).toBe(
      'certificate chain does not verify: CERT_HAS_EXPIRED (expired on 2020-02-01T00:00:00.000Z)',
    );
    expect(result.certificate).toMatchObject({ expiry: 'expired', chainValid: false });
    expect(expired.requests.length).toBe(before);
  });

  it('a certificate for another host fails with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const { result } = await probe({ url: `${wrongHost.url}/ok`, tls: { verify: true, ca: pki.ca } });
    expect(result.error).toEqual({ phase: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(result.message).toBe('certificate is not valid for 127.0.0.1 (it names DNS:wrong.example)');
    expect(result.certificate).toMatchObject({ chainValid: true, hostnameMatches: false });
  });

  it('with verify off the check passes and still reports the certificate', async () => {
    const { result } = await probe({ url: `${expired.url}/ok`, tls: { verify: false } });
    expect(result.ok).toBe(true);
    expect(result.certificate).toMatchObject({ expiry: 'expired', chainValid: false, subject: 'CN=localhost' });
    expect(result.message).toMatch(/; certificate expired on 2020-02-01T00:00:00\.000Z$/);
  });

  it('a certificate under criticalDays fails with certificate_expiring', async () => {
    const { result } = await probe({ url: `${expiring.url}/ok`, tls: { verify: true, ca: pki.ca } });
    expect(result.error).toEqual({ phase: 'tls', code: 'certificate_expiring' });
    expect(result.message).toMatch(/^certificate expires in 3 days \(/);
    expect(result.details.statusCode).toBe(200);
  });

  it('a certificate under warnDays only annotates the message and details', async () => {
    const { result } = await probe({
      url: `${expiring.url}/ok`,
      tls: { verify: true, ca: pki.ca },
      certificate: { warnDays: 14, criticalDays: 2 },
    });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/; certificate expires in 3 days$/);
    expect(result.details.warnings).toEqual(['certificate expires in 3 days']);
    expect(result.certificate?.expiry).toBe('warning');
  });

  it('a CA that is not PEM fails as configuration', async () => {
    const { result } = await probe({ url: `${secure.url}/ok`, tls: { verify: true, ca: 'not a certificate' } });
    expect(result.error).toEqual({ phase: 'config', code: 'invalid_ca' });
  });
});
