import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TlsSpec, TlsSpecSchema } from '../../check.model.js';
import { tlsProbe } from '../tls.probe.js';
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

const DAY_MS = 86_400_000;

let pki: Pki;
let secure: TestServer;
let expired: TestServer;
let wrongHost: TestServer;
let expiring: TestServer;
let bySni: TestServer;
let plain: TestServer;
let silent: TcpTestServer;

beforeAll(async () => {
  pki = makePki();
  [secure, expired, wrongHost, expiring, bySni, plain, silent] = await Promise.all([
    startHttpsServer(pki.valid),
    startHttpsServer(pki.expired),
    startHttpsServer(pki.wrongHost),
    startHttpsServer(pki.expiringSoon),
    startHttpsServer(pki.valid, { 'wrong.example': pki.wrongHost }),
    startHttpServer(),
    startTcpServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([secure, expired, wrongHost, expiring, bySni, plain, silent].map((s) => s?.close()));
  pki?.cleanup();
});

const spec = (fields: Partial<TlsSpec> & { port: number }): TlsSpec =>
  TlsSpecSchema.parse({ host: '127.0.0.1', ca: pki.ca, ...fields });
const probe = (fields: Partial<TlsSpec> & { port: number }, timeoutMs = 3000, now?: () => number) =>
  timed(() => tlsProbe(spec(fields), probeContext(timeoutMs, {}, now)));

describe('tls probe', () => {
  it('a certificate that verifies is up and fully reported', async () => {
    const { result } = await probe({ port: secure.port });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(
      /^certificate for 127\.0\.0\.1 valid for 36[45] days, issued by CN=Mainstay Test CA \(TLSv1\.3\)$/,
    );
    expect(result.certificate).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'CN=Mainstay Test CA',
      altNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
      chainValid: true,
      hostnameMatches: true,
      expiry: 'ok',
    });
    expect(result.certificate?.chainError).toBeUndefined();
    expect(result.certificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.certificate?.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(Date.parse(result.certificate?.validTo ?? '')).toBeGreaterThan(Date.now());
    expect(result.details).toMatchObject({ protocol: 'TLSv1.3' });
    expect(result.timings?.tlsMs).toBeGreaterThan(0);
  });

  it('without the CA the chain does not verify and the certificate is still reported', async () => {
    const { result } = await probe({ port: secure.port, ca: undefined });
    expect(result.error).toEqual({ phase: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(result.message).toBe(
      'certificate chain does not verify: UNABLE_TO_VERIFY_LEAF_SIGNATURE (issuer CN=Mainstay Test CA is not trusted)',
    );
    expect(result.certificate).toMatchObject({ subject: 'CN=localhost', chainValid: false });
  });

  it('an expired certificate is down with CERT_HAS_EXPIRED', async () => {
    const { result } = await probe({ port: expired.port });
    expect(result.error).toEqual({ phase: 'tls', code: 'CERT_HAS_EXPIRED' });
    expect(result.message).toBe(
      'certificate chain does not verify: CERT_HAS_EXPIRED (expired on 2020-02-01T00:00:00.000Z)',
    );
    expect(result.certificate).toMatchObject({ expiry: 'expired', chainError: 'CERT_HAS_EXPIRED' });
    expect(result.certificate?.daysLeft).toBeLessThan(0);
  });

  it('a certificate for another host is down with ERR_TLS_CERT_ALTNAME_INVALID, naming the host', async () => {
    const { result } = await probe({ port: wrongHost.port });
    expect(result.error).toEqual({ phase: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(result.message).toBe('certificate is not valid for 127.0.0.1 (it names DNS:wrong.example)');
  });

  it('serverName is sent as SNI and is the name the certificate must match', async () => {
    const { result } = await probe({ port: bySni.port, serverName: 'wrong.example' });
    expect(result.ok).toBe(true);
    expect(result.certificate?.subject).toBe('CN=wrong.example');
    const byDefault = await probe({ port: bySni.port, host: 'localhost' });
    expect(byDefault.result.certificate?.subject).toBe('CN=localhost');
    expect(byDefault.result.timings?.dnsMs).toBeGreaterThanOrEqual(0);
  });

  it('a certificate under criticalDays is down with certificate_expiring', async () => {
    const { result } = await probe({ port: expiring.port });
    expect(result.error).toEqual({ phase: 'tls', code: 'certificate_expiring' });
    expect(result.message).toMatch(/^certificate expires in 3 days \(\d{4}-/);
    expect(result.certificate).toMatchObject({ expiry: 'critical', daysLeft: 3, chainValid: true });
  });

  it('a certificate under warnDays is up with a warning', async () => {
    const { result } = await probe({ port: expiring.port, certificate: { warnDays: 14, criticalDays: 3 } });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^certificate for 127\.0\.0\.1 valid for 3 days \(warning: under 14 days\)/);
    expect(result.details.warnings).toEqual(['certificate expires in 3 days']);
  });

  it('expiry is judged by the injected clock: a year ahead the valid certificate has expired', async () => {
    const { result } = await probe({ port: secure.port }, 3000, () => Date.now() + 400 * DAY_MS);
    expect(result.error).toEqual({ phase: 'tls', code: 'certificate_expired' });
    expect(result.certificate).toMatchObject({ chainValid: true, expiry: 'expired' });
  });

  it('several problems are all named in the message', async () => {
    const { result } = await probe({ port: expired.port, serverName: 'example.org' });
    expect(result.error?.code).toBe('CERT_HAS_EXPIRED');
    expect(result.message).toMatch(/CERT_HAS_EXPIRED .*; certificate is not valid for example\.org/);
    expect(result.details.problems).toEqual(['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);
  });

  it('a TLS handshake that never finishes fails in the tls phase within the timeout', async () => {
    const { result, elapsedMs } = await probe({ port: silent.port }, 400);
    expect(result.error).toEqual({ phase: 'tls', code: 'timeout' });
    expect(result.message).toBe('TLS handshake did not finish within 400 ms');
    expect(elapsedMs).toBeGreaterThanOrEqual(390);
    expect(elapsedMs).toBeLessThan(400 + SETTLE_SLACK_MS);
  });

  it('a server that does not speak TLS fails the handshake with the OpenSSL code', async () => {
    const { result } = await probe({ port: plain.port });
    expect(result.error?.phase).toBe('tls');
    expect(result.error?.code).toMatch(/^ERR_SSL_|^ECONNRESET$/);
    expect(result.message).toMatch(/^(TLS handshake with|127\.0\.0\.1:\d+ closed the connection)/);
  });

  it('connection refused fails in the connect phase', async () => {
    const port = await refusedPort();
    const { result } = await probe({ port });
    expect(result.error).toEqual({ phase: 'connect', code: 'ECONNREFUSED' });
  });
});
