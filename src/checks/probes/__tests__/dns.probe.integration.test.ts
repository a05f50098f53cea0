import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsSpec, DnsSpecSchema } from '../../check.model.js';
import { dnsProbe } from '../dns.probe.js';
import type { ProbeContext } from '../probe.js';
import { REFUSED_NAME, SERVFAIL_NAME, SILENT_NAME, startDnsServer, type TestDnsServer } from './support/dns-server.js';

function context(timeoutMs = 2000, signal: AbortSignal = AbortSignal.timeout(timeoutMs)): ProbeContext {
  return {
    signal,
    timeoutMs,
    secret: (name) => Promise.reject(new Error(`secret ${name} does not exist`)),
    now: () => Date.now(),
  };
}

let server: TestDnsServer;

beforeAll(async () => {
  server = await startDnsServer();
});
afterAll(async () => {
  await server.close();
});

/** Every spec goes through the real schema, with the test server as resolver (never the system's). */
function spec(fields: Partial<DnsSpec> & { name: string }): DnsSpec {
  return DnsSpecSchema.parse({ resolver: server.address, ...fields });
}

describe('dns probe against a local DNS server', () => {
  it('A: every expected address is in the answer, and the answer is reported', async () => {
    const result = await dnsProbe(spec({ name: 'www.example.test', expect: ['192.0.2.11', '192.0.2.10'] }), context());
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({
      rcode: 'NOERROR',
      answer: ['192.0.2.10', '192.0.2.11'],
      records: [
        { address: '192.0.2.10', ttl: 300 },
        { address: '192.0.2.11', ttl: 300 },
      ],
    });
    expect(result.message).toContain('192.0.2.10');
    expect(result.timings?.dnsMs).toBeGreaterThanOrEqual(0);
    expect(server.queries.at(-1)).toMatchObject({ name: 'www.example.test', type: 'A' });
  });

  it('AAAA: an expected address in a non-canonical form matches the canonical answer', async () => {
    const result = await dnsProbe(
      spec({ name: 'www.example.test', recordType: 'AAAA', expect: ['2001:0DB8:0:0::0010'] }),
      context(),
    );
    expect(result.ok).toBe(true);
    expect(result.details.answer).toEqual(['2001:db8::10']);
  });

  it('CNAME: the target name matches with or without the trailing dot', async () => {
    const result = await dnsProbe(
      spec({ name: 'alias.example.test', recordType: 'CNAME', expect: ['WWW.example.test.'] }),
      context(),
    );
    expect(result.ok).toBe(true);
    expect(result.details.answer).toEqual(['www.example.test']);
  });

  it('A through a CNAME: the addresses of the target are the answer', async () => {
    const result = await dnsProbe(spec({ name: 'alias.example.test', expect: ['192.0.2.10'] }), context());
    expect(result.ok).toBe(true);
  });

  it('MX: values are "preference exchange"', async () => {
    const result = await dnsProbe(
      spec({ name: 'example.test', recordType: 'MX', expect: ['10 mail.example.test', '20 backup.example.test.'] }),
      context(),
    );
    expect(result.ok).toBe(true);
    expect(result.details.answer).toEqual(['10 mail.example.test', '20 backup.example.test']);
  });

  it('TXT: the character-strings of one record are joined', async () => {
    const result = await dnsProbe(
      spec({ name: 'example.test', recordType: 'TXT', expect: ['v=spf1 ip4:192.0.2.0/24 -all'] }),
      context(),
    );
    expect(result.ok).toBe(true);
    expect(result.details.answer).toEqual(['v=spf1 ip4:192.0.2.0/24 -all', 'site-verification=abc123']);
  });

  it('NS: the name servers are the answer', async () => {
    const result = await dnsProbe(
      spec({ name: 'example.test', recordType: 'NS', expect: ['ns1.example.test', 'ns2.example.test'] }),
      context(),
    );
    expect(result.ok).toBe(true);
  });

  it('SOA: matches the whole record in zone-file order or a single field', async () => {
    const whole = 'ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300';
    const result = await dnsProbe(
      spec({ name: 'example.test', recordType: 'SOA', expect: [whole, 'serial=2024010101', 'mname=ns1.example.test'] }),
      context(),
    );
    expect(result.ok).toBe(true);
    expect(result.details.answer).toEqual([
      'ns1.example.test hostmaster.example.test 2024010101 7200 3600 1209600 300',
    ]);

    const stale = await dnsProbe(spec({ name: 'example.test', recordType: 'SOA', expect: ['serial=2023'] }), context());
    expect(stale.error).toEqual({ phase: 'assertion', code: 'answer_mismatch' });
  });

  it('SRV: values are "priority weight port target"', async () => {
    const result = await dnsProbe(
      spec({ name: '_sip._udp.example.test', recordType: 'SRV', expect: ['10 5 5060 sip.example.test'] }),
      context(),
    );
    expect(result.ok).toBe(true);
  });

  it('an expected value missing from the answer fails as an assertion naming it and the answer', async () => {
    const result = await dnsProbe(spec({ name: 'www.example.test', expect: ['192.0.2.10', '192.0.2.99'] }), context());
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ phase: 'assertion', code: 'answer_mismatch' });
    expect(result.message).toBe('expected 192.0.2.99 in the www.example.test A answer, got 192.0.2.10, 192.0.2.11');
    expect(result.details.missing).toEqual(['192.0.2.99']);
  });

  it('an unknown name is NXDOMAIN (Node ENOTFOUND) and fails when NOERROR is expected', async () => {
    const result = await dnsProbe(spec({ name: 'nope.example.test' }), context());
    expect(result.error).toEqual({ phase: 'dns', code: 'nxdomain' });
    expect(result.message).toBe(`nope.example.test does not exist (NXDOMAIN from ${server.address})`);
    expect(result.details.rcode).toBe('NXDOMAIN');
  });

  it('NXDOMAIN is up when NXDOMAIN is expected', async () => {
    const result = await dnsProbe(spec({ name: 'nope.example.test', expectRcode: 'NXDOMAIN' }), context());
    expect(result.ok).toBe(true);
    expect(result.message).toContain('NXDOMAIN as expected');
  });

  it('a name without records of the type is NOERROR with no answer (Node ENODATA), not NXDOMAIN', async () => {
    const result = await dnsProbe(spec({ name: 'www.example.test', recordType: 'MX' }), context());
    expect(result.error).toEqual({ phase: 'dns', code: 'no_answer' });
    expect(result.details.rcode).toBe('NOERROR');
    expect(result.message).toContain('has no MX records (NOERROR with an empty answer');

    const expectingNx = await dnsProbe(
      spec({ name: 'www.example.test', recordType: 'MX', expectRcode: 'NXDOMAIN' }),
      context(),
    );
    expect(expectingNx.error).toEqual({ phase: 'assertion', code: 'rcode_mismatch' });
    expect(expectingNx.message).toBe('expected NXDOMAIN for www.example.test MX, got NOERROR (empty answer)');
  });

  it('SERVFAIL fails with code servfail, and is up when expected', async () => {
    const result = await dnsProbe(spec({ name: SERVFAIL_NAME }), context());
    expect(result.error).toEqual({ phase: 'dns', code: 'servfail' });
    expect(result.details.rcode).toBe('SERVFAIL');
    const expected = await dnsProbe(spec({ name: SERVFAIL_NAME, expectRcode: 'SERVFAIL' }), context());
    expect(expected.ok).toBe(true);
  });

  it('REFUSED fails with code refused', async () => {
    const result = await dnsProbe(spec({ name: REFUSED_NAME }), context());
    expect(result.error).toEqual({ phase: 'dns', code: 'refused' });
    expect(result.message).toBe(`${server.address} refused to answer ${REFUSED_NAME} A (REFUSED)`);
  });

  it('a server that never answers fails with a timeout within the check timeout', async () => {
    const t0 = performance.now();
    const result = await dnsProbe(spec({ name: SILENT_NAME }), context(300));
    const took = performance.now() - t0;
    expect(result.error).toEqual({ phase: 'dns', code: 'timeout' });
    expect(result.message).toBe(`the DNS server ${server.address} did not answer within 300 ms (${SILENT_NAME} A)`);
    expect(took).toBeLessThan(1000);
  });

  it('an abort (shutdown) before the answer cancels the query and settles at once', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const t0 = performance.now();
    const result = await dnsProbe(spec({ name: SILENT_NAME }), context(10_000, controller.signal));
    expect(result.error).toEqual({ phase: 'dns', code: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a resolver port where nothing listens fails in phase connect', async () => {
    const probeSocket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probeSocket.bind(0, '127.0.0.1', resolve));
    const { port } = probeSocket.address();
    await new Promise<void>((resolve) => probeSocket.close(() => resolve()));

    const result = await dnsProbe(spec({ name: 'www.example.test', resolver: `127.0.0.1:${port}` }), context(1000));
    expect(result.error).toEqual({ phase: 'connect', code: 'connection_refused' });
    expect(result.message).toContain(`via 127.0.0.1:${port}`);
  });
});
