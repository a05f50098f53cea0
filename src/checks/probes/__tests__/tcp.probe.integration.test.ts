import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TcpSpec, TcpSpecSchema } from '../../check.model.js';
import { tcpProbe } from '../tcp.probe.js';
import {
  makePki,
  type Pki,
  probeContext,
  refusedPort,
  SETTLE_SLACK_MS,
  startTcpServer,
  startTlsServer,
  type TcpTestServer,
  timed,
} from './support/servers.js';

let pki: Pki;
let silent: TcpTestServer;
let banner: TcpTestServer;
let echo: TcpTestServer;
let split: TcpTestServer;
let chatter: TcpTestServer;
let hangsUp: TcpTestServer;
let flood: TcpTestServer;
let tlsBanner: TcpTestServer;

beforeAll(async () => {
  pki = makePki();
  [silent, banner, echo, split, chatter, hangsUp, flood, tlsBanner] = await Promise.all([
    startTcpServer(),
    startTcpServer((s) => s.write('220 mail.test ESMTP ready\r\n')),
    startTcpServer((s) => s.on('data', (d) => s.write(`echo: ${d}`))),
    startTcpServer((s) => {
      s.write('22');
      setTimeout(() => s.write('0 ready\r\n'), 20);
    }),
    startTcpServer((s) => s.write('hello\r\n')),
    startTcpServer((s) => s.end('bye\r\n')),
    startTcpServer((s) => {
      const chunk = Buffer.alloc(16 * 1024, 'z');
      const pump = () => {
        while (!s.destroyed && s.write(chunk));
      };
      s.on('drain', pump);
      pump();
    }),
    startTlsServer(pki.valid, (s) => s.write('* OK IMAP ready\r\n')),
  ]);
});
afterAll(async () => {
  await Promise.all([silent, banner, echo, split, chatter, hangsUp, flood, tlsBanner].map((s) => s?.close()));
  pki?.cleanup();
});

const spec = (fields: Partial<TcpSpec> & { port: number }): TcpSpec =>
  TcpSpecSchema.parse({ host: '127.0.0.1', ...fields });
const probe = (fields: Partial<TcpSpec> & { port: number }, timeoutMs = 3000) =>
  timed(() => tcpProbe(spec(fields), probeContext(timeoutMs)));

describe('tcp probe', () => {
  it('connecting is enough when nothing is sent or expected', async () => {
    const { result } = await probe({ port: silent.port });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^connected to 127\.0\.0\.1:\d+ in [\d.]+ ms$/);
    expect(result.timings?.connectMs).toBeGreaterThanOrEqual(0);
  });

  it('a banner that contains the expected text is up', async () => {
    const { result } = await probe({ port: banner.port, expect: '220' });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^connected to 127\.0\.0\.1:\d+ and received "220" in [\d.]+ ms$/);
    expect(result.timings?.firstByteMs).toBeGreaterThanOrEqual(0);
  });

  it('sends the text and finds the expected reply', async () => {
    const { result } = await probe({ port: echo.port, send: 'PING\r\n', expect: 'echo: PING' });
    expect(result.ok).toBe(true);
  });

  it('finds expected text split across reads', async () => {
    const { result } = await probe({ port: split.port, expect: '220 ready' });
    expect(result.ok).toBe(true);
  });

  it('sending without expecting is up once the text is written', async () => {
    const { result } = await probe({ port: silent.port, send: 'QUIT\r\n' });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/and sent 6 B in/);
  });

  it('a server that never speaks fails in the response phase at the timeout', async () => {
    const { result, elapsedMs } = await probe({ port: silent.port, expect: '220' }, 400);
    expect(result.error).toEqual({ phase: 'response', code: 'timeout' });
    expect(result.message).toBe('connected, but did not receive "220" within 400 ms; got: nothing');
    expect(elapsedMs).toBeGreaterThanOrEqual(390);
    expect(elapsedMs).toBeLessThan(400 + SETTLE_SLACK_MS);
  });

  it('a different reply is quoted in the timeout message', async () => {
    const { result, elapsedMs } = await probe({ port: chatter.port, expect: '220' }, 400);
    expect(result.error).toEqual({ phase: 'response', code: 'timeout' });
    expect(result.message).toBe('connected, but did not receive "220" within 400 ms; got: "hello\\r\\n"');
    expect(result.details).toMatchObject({ bytesReceived: 7, received: 'hello\r\n' });
    expect(elapsedMs).toBeLessThan(400 + SETTLE_SLACK_MS);
  });

  it('a server that hangs up before the expected text fails with closed', async () => {
    const { result } = await probe({ port: hangsUp.port, expect: '220' });
    expect(result.error).toEqual({ phase: 'response', code: 'closed' });
    expect(result.message).toBe('connection closed before "220" arrived; got: "bye\\r\\n"');
  });

  it('reading is bounded to 64 KiB: an endless stream without the text fails fast', async () => {
    const { result, elapsedMs } = await probe({ port: flood.port, expect: 'never' }, 3000);
    expect(result.error).toEqual({ phase: 'response', code: 'expect_not_found' });
    expect(result.message).toMatch(/^read 64 KiB without receiving "never"; got: "zzz/);
    expect(result.details.bytesReceived).toBe(64 * 1024);
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('over TLS: reads the banner and reports the certificate without enforcing it', async () => {
    const { result } = await probe({ port: tlsBanner.port, tls: true, expect: '* OK' });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/over TLS and received "\* OK"/);
    expect(result.certificate).toMatchObject({ subject: 'CN=localhost', chainValid: false, hostnameMatches: true });
    expect(result.timings?.tlsMs).toBeGreaterThan(0);
  });

  it('a TLS handshake that never finishes fails in the tls phase within the timeout', async () => {
    const { result, elapsedMs } = await probe({ port: silent.port, tls: true }, 400);
    expect(result.error).toEqual({ phase: 'tls', code: 'timeout' });
    expect(elapsedMs).toBeLessThan(400 + SETTLE_SLACK_MS);
  });

  it('connection refused fails in the connect phase with ECONNREFUSED', async () => {
    const port = await refusedPort();
    const { result } = await probe({ port });
    expect(result.error).toEqual({ phase: 'connect', code: 'ECONNREFUSED' });
    expect(result.message).toBe(`connection to 127.0.0.1:${port} refused (ECONNREFUSED)`);
  });

  it('a name that does not resolve fails in the dns phase', async () => {
    const { result, elapsedMs } = await probe({ host: 'no-such-host.invalid', port: 25 }, 2000);
    expect(result.error?.phase).toBe('dns');
    expect(elapsedMs).toBeLessThan(2000 + SETTLE_SLACK_MS);
  });
});
