import { lookup, Resolver } from 'node:dns/promises';
import net from 'node:net';
import type { DNS_RCODES, DnsSpec } from '../check.model.js';
import { failure, type Probe, type ProbeResult } from './probe.js';

/**
 * DNS check: one query of `recordType` for `name`, sent to `spec.resolver` (or the
 * system's servers) with Node's c-ares resolver, one try, bounded by the check's timeout.
 *
 * How c-ares reports the response code (RFC 1035 section 4.1.1, RFC 2308):
 *   ENOTFOUND  the server said NXDOMAIN: the name does not exist at all.
 *   ENODATA    NOERROR with an empty answer (NODATA): the name exists, but has no
 *              record of this type. A resolveX that returns [] (e.g. only a CNAME
 *              came back for an A query) is the same thing.
 *   ESERVFAIL  SERVFAIL; EREFUSED  REFUSED.
 *   ETIMEOUT   no answer in time; ECANCELLED  we cancelled at the check's timeout.
 *   ECONNREFUSED  nothing listens on the server's port (ICMP port unreachable).
 * A NOERROR answer without records fails as `no_answer`: a check of a record type
 * that has no records is down even when no values are expected.
 */

type Rcode = (typeof DNS_RCODES)[number];
type RecordType = DnsSpec['recordType'];

const RCODE_OF_NODE_CODE: Record<string, Rcode> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NOERROR',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
};

/** Node / c-ares failures that are not a response code, as `phase`/`code`. */
const OTHER_NODE_CODES: Record<string, { code: string; what: string }> = {
  EFORMERR: { code: 'format_error', what: 'the server could not parse the query (FORMERR)' },
  ENOTIMP: { code: 'not_implemented', what: 'the server does not implement this query (NOTIMP)' },
  EBADRESP: { code: 'bad_response', what: 'the response was malformed' },
  EBADQUERY: { code: 'bad_query', what: 'the query was malformed' },
  EBADNAME: { code: 'bad_name', what: 'the name is not a valid DNS name' },
  EBADFAMILY: { code: 'bad_family', what: 'unsupported address family' },
  ECONNREFUSED: { code: 'connection_refused', what: 'the server port refused the query (nothing listens there)' },
  ENOMEM: { code: 'resolver_error', what: 'the resolver ran out of memory' },
};

const MAX_ANSWER_VALUES = 50;
const MAX_VALUE_CHARS = 1000;

interface Answer {
  /** Normalised values, as `expect` compares them ("10 mail.example.com"). */
  values: string[];
  /** The records as Node returned them (with TTLs for A/AAAA), for details. */
  records: unknown[];
}

function stripDot(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** An IPv6 address in its canonical text form (RFC 5952), via the WHATWG URL parser. */
function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address.replace(/^\[|\]$/g, '')}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return address.toLowerCase();
  }
}

function soaText(s: {
  nsname: string;
  hostmaster: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minttl: number;
}): string {
  // Zone file order: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM (RFC 1035 section 3.3.13).
  return `${stripDot(s.nsname)} ${stripDot(s.hostmaster)} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minttl}`;
}

async function query(resolver: Resolver, type: RecordType, name: string): Promise<Answer> {
  switch (type) {
    case 'A': {
      const r = await resolver.resolve4(name, { ttl: true });
      return { values: r.map((a) => a.address), records: r };
    }
    case 'AAAA': {
      const r = await resolver.resolve6(name, { ttl: true });
      return { values: r.map((a) => canonicalIpv6(a.address)), records: r };
    }
    case 'CNAME': {
      const r = await resolver.resolveCname(name);
      return { values: r.map(stripDot), records: r };
    }
    case 'NS': {
      const r = await resolver.resolveNs(name);
      return { values: r.map(stripDot), records: r };
    }
    case 'MX': {
      const r = await resolver.resolveMx(name);
      return { values: r.map((m) => `${m.priority} ${stripDot(m.exchange)}`), records: r };
    }
    case 'TXT': {
      // A TXT record is a list of character-strings (RFC 1035 section 3.3.14); its text is their concatenation.
      const r = await resolver.resolveTxt(name);
      return { values: r.map((chunks) => chunks.join('')), records: r };
    }
    case 'SRV': {
      const r = await resolver.resolveSrv(name);
      return { values: r.map((s) => `${s.priority} ${s.weight} ${s.port} ${stripDot(s.name)}`), records: r };
    }
    case 'SOA': {
      const r = await resolver.resolveSoa(name);
      return { values: [soaText(r)], records: [r] };
    }
  }
}

const SOA_FIELDS: Record<string, number> = {
  nsname: 0,
  mname: 0,
  hostmaster: 1,
  rname: 1,
  serial: 2,
  refresh: 3,
  retry: 4,
  expire: 5,
  minttl: 6,
  minimum: 6,
};

/** Normalises an expected value the way `query` normalises the answer, so both compare as strings. */
function normaliseExpected(type: RecordType, value: string): string {
  const v = value.trim();
  switch (type) {
    case 'A':
      return v;
    case 'TXT':
      return value;
    case 'AAAA':
      return canonicalIpv6(v);
    case 'CNAME':
    case 'NS':
      return stripDot(v);
    case 'MX':
    case 'SRV':
    case 'SOA': {
      const parts = v.split(/\s+/);
      return parts.map((p) => (/^\d+$/.test(p) ? p : stripDot(p))).join(' ');
    }
  }
}

/** Whether one expected value is in the answer. SOA also accepts a single field: `serial=2024010101`. */
function matches(type: RecordType, expected: string, values: string[]): boolean {
  if (type === 'SOA') {
    const field = /^\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(expected);
    if (field) {
      const index = SOA_FIELDS[field[1]!.toLowerCase()];
      if (index === undefined) return false;
      const want = normaliseExpected('SOA', field[2]!);
      return values.some((v) => v.split(' ')[index] === want);
    }
  }
  const want = normaliseExpected(type, expected);
  return values.includes(want);
}

function bounded(values: readonly unknown[]): unknown[] {
  return values
    .slice(0, MAX_ANSWER_VALUES)
    .map((v) => (typeof v === 'string' && v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS)}…` : v));
}

function listed(values: string[]): string {
  const shown = values.slice(0, 5).map((v) => (v.length > 120 ? `${v.slice(0, 120)}…` : v));
  return shown.join(', ') + (values.length > shown.length ? ` (+${values.length - shown.length} more)` : '');
}

/** `host[:port]` as `setServers` takes it, resolving a resolver given by name first. */
async function serverAddress(resolver: string): Promise<string> {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(resolver);
  const host = m?.[1] ?? m?.[2] ?? resolver;
  const port = m?.[3];
  const ip = net.isIP(host) ? host : (await lookup(host)).address;
  if (!port) return ip;
  return net.isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const dnsProbe: Probe<DnsSpec> = async (spec, ctx) => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const question = `${spec.name} ${spec.recordType}`;
  const base = { name: spec.name, recordType: spec.recordType };

  let server = spec.resolver ?? 'the system resolver';
  const timedOut = (): ProbeResult => {
    const ms = elapsed();
    return failure(
      'dns',
      'timeout',
      `the DNS server ${server} did not answer within ${ctx.timeoutMs} ms (${question})`,
      ms,
      {
        timings: { dnsMs: ms, totalMs: ms },
        details: { ...base, resolver: server },
      },
    );
  };
  if (ctx.signal.aborted) return timedOut();

  const remaining = Math.max(1, ctx.timeoutMs - elapsed());
  const resolver = new Resolver({ timeout: remaining, tries: 1 });
  let abortListener: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    abortListener = () => {
      resolver.cancel();
      resolve('aborted');
    };
    ctx.signal.addEventListener('abort', abortListener, { once: true });
  });

  const run = async (): Promise<ProbeResult> => {
    if (spec.resolver) {
      let address: string;
      try {
        address = await serverAddress(spec.resolver);
      } catch (err) {
        return failure(
          'dns',
          'resolver_not_resolved',
          `the resolver ${spec.resolver} could not be resolved: ${errorMessage(err)}`,
          elapsed(),
          {
            details: { ...base, resolver: spec.resolver },
          },
        );
      }
      try {
        resolver.setServers([address]);
      } catch (err) {
        return failure(
          'config',
          'invalid_resolver',
          `the resolver ${spec.resolver} is not usable: ${errorMessage(err)}`,
          elapsed(),
          {
            details: { ...base, resolver: spec.resolver },
          },
        );
      }
    } else {
      server = `the system resolver (${resolver.getServers().join(', ') || 'no servers configured'})`;
    }
    if (ctx.signal.aborted) return timedOut();

    let rcode: Rcode;
    let answer: Answer = { values: [], records: [] };
    try {
      answer = await query(resolver, spec.recordType, spec.name);
      rcode = 'NOERROR';
    } catch (err) {
      const code = errorCode(err) ?? 'UNKNOWN';
      if (code === 'ETIMEOUT' || code === 'ECANCELLED' || ctx.signal.aborted) return timedOut();
      const mapped = RCODE_OF_NODE_CODE[code];
      if (!mapped) {
        const other = OTHER_NODE_CODES[code] ?? { code: 'resolver_error', what: errorMessage(err) };
        const phase = code === 'ECONNREFUSED' ? 'connect' : 'dns';
        const ms = elapsed();
        return failure(phase, other.code, `${question} via ${server}: ${other.what} (${code})`, ms, {
          timings: { dnsMs: ms, totalMs: ms },
          details: { ...base, resolver: server, nodeCode: code },
        });
      }
      rcode = mapped;
    }
    return judge(rcode, answer, elapsed());
  };

  const judge = (rcode: Rcode, answer: Answer, ms: number): ProbeResult => {
    const details = {
      ...base,
      resolver: server,
      rcode,
      answer: bounded(answer.values),
      records: bounded(answer.records),
    };
    const timings = { dnsMs: ms, totalMs: ms };
    const shown = answer.values.length > 0 ? `: ${listed(answer.values)}` : ' (empty answer)';
    if (rcode !== spec.expectRcode) {
      if (spec.expectRcode === 'NOERROR') {
        const why =
          rcode === 'NXDOMAIN'
            ? `${spec.name} does not exist (NXDOMAIN from ${server})`
            : rcode === 'SERVFAIL'
              ? `${server} answered SERVFAIL for ${question}: it could not resolve the name`
              : `${server} refused to answer ${question} (REFUSED)`;
        return failure('dns', rcode.toLowerCase(), why, ms, { timings, details });
      }
      return failure(
        'assertion',
        'rcode_mismatch',
        `expected ${spec.expectRcode} for ${question}, got ${rcode}${shown}`,
        ms,
        {
          timings,
          details,
        },
      );
    }
    if (rcode !== 'NOERROR') {
      return { ok: true, latencyMs: ms, message: `${question}: ${rcode} as expected, in ${ms} ms`, timings, details };
    }
    if (answer.values.length === 0) {
      return failure(
        'dns',
        'no_answer',
        `${spec.name} has no ${spec.recordType} records (NOERROR with an empty answer from ${server})`,
        ms,
        {
          timings,
          details,
        },
      );
    }
    const missing = spec.expect.filter((e) => !matches(spec.recordType, e, answer.values));
    if (missing.length > 0) {
      return failure(
        'assertion',
        'answer_mismatch',
        `expected ${listed(missing)} in the ${question} answer, got ${listed(answer.values)}`,
        ms,
        {
          timings,
          details: { ...details, missing: bounded(missing) },
        },
      );
    }
    return { ok: true, latencyMs: ms, message: `${question}${shown} in ${ms} ms`, timings, details };
  };

  try {
    const outcome = await Promise.race([run(), aborted]);
    return outcome === 'aborted' ? timedOut() : outcome;
  } catch (err) {
    // Defensive: nothing above should throw, but a probe never does.
    return failure('dns', 'resolver_error', `${question}: ${errorMessage(err)}`, elapsed(), { details: base });
  } finally {
    if (abortListener) ctx.signal.removeEventListener('abort', abortListener);
    resolver.cancel();
  }
};
