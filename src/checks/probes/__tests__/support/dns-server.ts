import dgram from 'node:dgram';
import dnsPacket, { type Answer, type Question } from 'dns-packet';

/**
 * A tiny authoritative DNS server over UDP on 127.0.0.1 for the DNS probe tests.
 * It answers from a table of records; names it does not know get NXDOMAIN, known
 * names asked for a type they lack get NOERROR with an empty answer (NODATA,
 * RFC 2308 section 2.2), and a few special names answer with an error rcode or
 * never answer at all.
 */

export const SERVFAIL_NAME = 'servfail.test';
export const REFUSED_NAME = 'refused.test';
/** Queries for this name are dropped: the client sees a timeout. */
export const SILENT_NAME = 'silent.test';

/** RFC 1035 section 4.1.1 RCODE values. */
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export const ZONE: Answer[] = [
  { type: 'A', name: 'www.example.test', ttl: 300, data: '192.0.2.10' },
  { type: 'A', name: 'www.example.test', ttl: 300, data: '192.0.2.11' },
  { type: 'AAAA', name: 'www.example.test', ttl: 300, data: '2001:db8::10' },
  { type: 'CNAME', name: 'alias.example.test', ttl: 300, data: 'www.example.test' },
  { type: 'MX', name: 'example.test', ttl: 300, data: { preference: 10, exchange: 'mail.example.test' } },
  { type: 'MX', name: 'example.test', ttl: 300, data: { preference: 20, exchange: 'backup.example.test' } },
  {
    type: 'TXT',
    name: 'example.test',
    ttl: 300,
    // Two character-strings of one record: the probe joins them.
    data: ['v=spf1 ip4:192.0.2.0/24 ', '-all'],
  },
  { type: 'TXT', name: 'example.test', ttl: 300, data: 'site-verification=abc123' },
  { type: 'NS', name: 'example.test', ttl: 300, data: 'ns1.example.test' },
  { type: 'NS', name: 'example.test', ttl: 300, data: 'ns2.example.test' },
  {
    type: 'SOA',
    name: 'example.test',
    ttl: 300,
    data: {
      mname: 'ns1.example.test',
      rname: 'hostmaster.example.test',
      serial: 2024010101,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    },
  },
  {
    type: 'SRV',
    name: '_sip._udp.example.test',
    ttl: 300,
    data: { priority: 10, weight: 5, port: 5060, target: 'sip.example.test' },
  },
];

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as a DnsSpec `resolver`. */
  address: string;
  port: number;
  /** Questions received, in order (to assert what the probe asked). */
  queries: Question[];
  close(): Promise<void>;
}

function respond(query: dnsPacket.DecodedPacket): dnsPacket.Packet | undefined {
  const question = query.questions?.[0];
  const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [] };
  if (!question) return { ...base, flags: RCODE.REFUSED };
  const name = question.name.toLowerCase().replace(/\.$/, '');
  if (name === SILENT_NAME) return undefined;
  if (name === SERVFAIL_NAME) return { ...base, flags: RCODE.SERVFAIL };
  if (name === REFUSED_NAME) return { ...base, flags: RCODE.REFUSED };
  const records = ZONE.filter((r) => r.name === name);
  if (records.length === 0) return { ...base, flags: dnsPacket.AUTHORITATIVE_ANSWER | RCODE.NXDOMAIN };
  // A CNAME answers every type for its name, followed by the target's records (RFC 1034 section 3.6.2).
  const answers = records.filter((r) => r.type === question.type || r.type === 'CNAME');
  for (const r of answers.filter((a) => a.type === 'CNAME' && question.type !== 'CNAME')) {
    answers.push(...ZONE.filter((t) => t.name === (r as { data: unknown }).data && t.type === question.type));
  }
  return { ...base, flags: dnsPacket.AUTHORITATIVE_ANSWER | RCODE.NOERROR, answers };
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: Question[] = [];
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    if (query.questions?.[0]) queries.push(query.questions[0]);
    const reply = respond(query);
    if (reply) socket.send(dnsPacket.encode(reply), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
