import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type { HttpSpec } from '../check.model.js';
import {
  bareHost,
  certificateProblems,
  describeCertificate,
  expiryNote,
  expiryProblem,
  secureContextFor,
  sniFor,
} from './certificate.js';
import { cachedRegex, checkJsonAssertions } from './json-path.js';
import type { CertificateInfo, Probe, ProbeContext, ProbePhase, ProbeResult, ProbeTimings } from './probe.js';
import { failure } from './probe.js';
import {
  abortCode,
  add,
  type ConnectTarget,
  finalTimings,
  ms,
  openConnection,
  quote,
  timedFailure,
} from './tcp.probe.js';

/**
 * The http(s) probe. One new connection per probe, as the blackbox exporter does: the probe opens
 * the socket itself (timed DNS / connect / TLS, certificate judged before a byte of the request,
 * credentials included, is written) and hands it to `http.request` through `createConnection`,
 * which uses no Agent at all (`agent: false` would build a throwaway Agent per request).
 */

const USER_AGENT = 'Mainstay-Probe/1.0';
const EXCERPT_BYTES = 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin (as curl and browsers do). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** A response; `body` holds the kept bytes: the whole read body when an assertion needs it, else the excerpt. */
type Hop = { status: number; statusText: string; location?: string; size: number; truncated: boolean; body: Buffer };
type Exchanged = Hop | { failed: ProbeResult };

type Problem = { phase: ProbePhase; code: string; message: string };

export const httpProbe: Probe<HttpSpec> = async (spec, ctx) => {
  const t0 = performance.now();
  try {
    return await run(spec, ctx, t0);
  } catch (err) {
    // Nothing above is expected to throw; a probe still never does.
    return failure('config', 'internal_error', `probe failed unexpectedly: ${(err as Error).message}`, elapsed(t0));
  }
};

const elapsed = (t0: number) => ms(performance.now() - t0);

async function run(spec: HttpSpec, ctx: ProbeContext, t0: number): Promise<ProbeResult> {
  const timings: ProbeTimings = { totalMs: 0 };
  const prepared = await requestHeaders(spec, ctx, t0);
  if ('failed' in prepared) return prepared.failed;
  const { headers } = prepared;
  const start = new URL(spec.url);
  let strippedHeaders: OutgoingHttpHeaders | undefined;
  let url = start;
  let method: string = spec.method;
  let payload = spec.body;
  let redirects: { url: string; statusCode: number }[] | undefined;
  let certificate: CertificateInfo | undefined;
  const keepBytes = readsBody(spec) ? spec.maxBodyBytes : Math.min(EXCERPT_BYTES, spec.maxBodyBytes);
  const follow = spec.followRedirects;
  const hopBase = { follow, maxBytes: spec.maxBodyBytes, keepBytes, ctx, t0, timings };
  const annotate = (r: ProbeResult): ProbeResult => {
    if (redirects) r.details = { ...r.details, url: url.href, redirects };
    r.certificate ??= certificate;
    return r;
  };

  for (;;) {
    const https = url.protocol === 'https:';
    const host = bareHost(url.hostname);
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    let tlsTarget: ConnectTarget['tls'];
    try {
      tlsTarget = https ? { context: secureContextFor(spec.tls.ca), servername: sniFor(host) } : undefined;
    } catch (err) {
      const why = (err as Error).message;
      return failure('config', 'invalid_ca', `tls.ca is not a PEM bundle OpenSSL accepts: ${why}`, elapsed(t0));
    }
    const opened = await openConnection({ host, port, tls: tlsTarget }, ctx, timings, t0);
    if ('failed' in opened) return annotate(opened.failed);
    const { socket } = opened;
    if (https) {
      const cert = describeCertificate(socket as TLSSocket, host, spec.certificate, ctx.now(), opened.peer);
      const problems = cert ? certificateProblems(cert, host, false) : [];
      if (!cert || (spec.tls.verify && problems.length > 0)) {
        socket.destroy();
        const code = problems[0]?.code ?? 'no_certificate';
        const message = cert ? problems.map((p) => p.message).join('; ') : `${host}:${port} sent no certificate`;
        return annotate(timedFailure('tls', code, message, timings, t0, { certificate: cert }));
      }
      certificate ??= cert;
    }
    const sameOrigin = url.origin === start.origin;
    if (!sameOrigin) strippedHeaders ??= withoutCredentials(headers);
    const hopHeaders = sameOrigin ? headers : (strippedHeaders ?? headers);
    const hop = await exchange(socket, { ...hopBase, url, host, port, https, method, headers: hopHeaders, payload });
    if ('failed' in hop) return annotate(hop.failed);
    if (!follow || !REDIRECTS.has(hop.status) || hop.location === undefined) {
      return annotate(evaluate(spec, hop, certificate, timings, t0, redirects?.length ?? 0));
    }

    const next = URL.canParse(hop.location, url.href) ? new URL(hop.location, url) : undefined;
    redirects ??= [];
    redirects.push({ url: url.href, statusCode: hop.status });
    const fail = (code: string, message: string) => annotate(timedFailure('redirect', code, message, timings, t0));
    if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
      return fail('invalid_redirect', `${hop.status} redirect to ${quote(hop.location)}, which is not an http(s) URL`);
    }
    const target = next.href;
    if (redirects.some((r) => r.url === target)) {
      const chain = [...redirects.map((r) => r.url), target].map((u) => shortUrl(u, start)).join(' → ');
      return fail('redirect_loop', `redirect loop: ${chain}`);
    }
    if (redirects.length > spec.maxRedirects) {
      return fail(
        'too_many_redirects',
        `more than ${spec.maxRedirects} redirects (maxRedirects); the next was ${hop.status} to ${shortUrl(target, start)}`,
      );
    }
    // RFC 9110 §15.4: 303 turns into GET; 301/302 after POST do too in every client.
    if (
      (hop.status === 303 && method !== 'HEAD') ||
      ((hop.status === 301 || hop.status === 302) && method === 'POST')
    ) {
      method = 'GET';
      payload = undefined;
    }
    url = next;
  }
}

async function requestHeaders(
  spec: HttpSpec,
  ctx: ProbeContext,
  t0: number,
): Promise<{ headers: OutgoingHttpHeaders } | { failed: ProbeResult }> {
  const headers: OutgoingHttpHeaders = {};
  let userAgent = false;
  for (const name in spec.headers) {
    headers[name] = spec.headers[name];
    if (name.length === 10 && name.toLowerCase() === 'user-agent') userAgent = true;
  }
  if (!userAgent) headers['user-agent'] = USER_AGENT;
  const auth = spec.auth;
  if (!auth) return { headers };
  const name = auth.type === 'basic' ? auth.passwordSecret : auth.tokenSecret;
  let secret: string;
  try {
    secret = await untilAborted(ctx.secret(name), ctx.signal);
  } catch (err) {
    const timedOut = ctx.signal.aborted;
    const message = timedOut
      ? `secret "${name}" could not be read within ${ctx.timeoutMs} ms`
      : `could not read secret "${name}": ${(err as Error).message}`;
    return { failed: failure('config', timedOut ? abortCode(ctx.signal) : 'secret_unavailable', message, elapsed(t0)) };
  }
  headers.authorization =
    auth.type === 'basic'
      ? `Basic ${Buffer.from(`${auth.username}:${secret}`).toString('base64')}`
      : `Bearer ${secret}`;
  return { headers };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function withoutCredentials(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) out[name] = headers[name];
  return out;
}

function shortUrl(href: string, base: URL): string {
  return href.startsWith(`${base.origin}/`) ? href.slice(base.origin.length) : href;
}

/** One hop: where and what to send, and the probe's shared state. */
interface Exchange {
  url: URL;
  host: string;
  port: number;
  https: boolean;
  method: string;
  headers: OutgoingHttpHeaders;
  payload: string | undefined;
  follow: boolean;
  maxBytes: number;
  keepBytes: number;
  ctx: ProbeContext;
  t0: number;
  timings: ProbeTimings;
}

/** One request on an open socket: settles with the response (body read up to maxBodyBytes) or a failure. */
function exchange(socket: Socket, rq: Exchange): Promise<Exchanged> {
  const { ctx, t0, timings, keepBytes, maxBytes } = rq;
  return new Promise<Exchanged>((resolve) => {
    let phase: 'request' | 'response' | 'body' = 'request';
    let settled = false;
    const sentAt = performance.now();
    let res: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let kept = 0;
    let size = 0;
    let truncated = false;
    const where = rq.url.host;

    const finish = (outcome: Exchanged) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const fail = (code: string, message: string) => {
      const details: Record<string, unknown> = {};
      if (res) {
        details.statusCode = res.statusCode;
        details.size = size;
        if (kept > 0) details.bodyExcerpt = Buffer.concat(chunks, kept).subarray(0, EXCERPT_BYTES).toString('utf8');
      }
      finish({ failed: timedFailure(phase, code, message, timings, t0, { details }) });
    };
    const done = () => {
      if (!res) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, kept);
      const location = res.headers.location;
      const statusText = res.statusMessage ?? '';
      finish({ status: res.statusCode ?? 0, statusText, location, size, truncated, body });
    };
    function onAbort() {
      const code = abortCode(ctx.signal);
      const n = ctx.timeoutMs;
      if (code === 'aborted') return fail(code, `probe cancelled while waiting for the ${phase}`);
      if (phase === 'request') return fail(code, `could not send the request to ${where} within ${n} ms`);
      if (phase === 'response') return fail(code, `sent the request, but no response headers arrived within ${n} ms`);
      const status = `${res?.statusCode} ${res?.statusMessage ?? ''}`.trim();
      fail(code, `response headers arrived (${status}), but the body did not end within ${n} ms (${bytes(size)} read)`);
    }
    const take = (chunk: Buffer) => {
      size += chunk.length;
      if (kept >= keepBytes) return;
      const part = chunk.length <= keepBytes - kept ? chunk : chunk.subarray(0, keepBytes - kept);
      chunks.push(part);
      kept += part.length;
    };

    let req: http.ClientRequest;
    try {
      req = http.request({
        createConnection: () => socket,
        host: rq.host,
        port: rq.port,
        defaultPort: rq.https ? 443 : 80,
        method: rq.method,
        path: `${rq.url.pathname}${rq.url.search}`,
        headers: rq.headers,
      });
    } catch (err) {
      // Header values with control characters and the like are refused by Node before sending.
      const e = err as NodeJS.ErrnoException;
      settled = true;
      socket.destroy();
      const message = `the request could not be built: ${e.message}`;
      return resolve({ failed: failure('config', e.code ?? 'invalid_request', message, elapsed(t0)) });
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERR_HTTP';
      if (code.startsWith('HPE_')) return fail(code, `invalid HTTP response from ${where}: ${err.message} (${code})`);
      if (phase === 'request') return fail(code, `could not send the request to ${where}: ${err.message} (${code})`);
      fail(code, `${where} closed the connection without a response (${code})`);
    });
    req.on('finish', () => {
      if (phase === 'request') phase = 'response';
    });
    req.on('response', (r: IncomingMessage) => {
      res = r;
      phase = 'body';
      add(timings, 'firstByteMs', performance.now() - sentAt);
      r.on('error', () => {});
      if (rq.follow && REDIRECTS.has(r.statusCode ?? 0) && r.headers.location !== undefined) return done();
      r.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = maxBytes - size;
        if (chunk.length <= room) return take(chunk);
        // The rest is not downloaded: an endless or huge body costs maxBodyBytes, nothing more.
        take(chunk.subarray(0, room));
        truncated = true;
        done();
      });
      r.on('end', done);
      r.on('close', () => {
        if (!settled) fail('incomplete_body', `the connection closed after ${bytes(size)} of the body`);
      });
    });
    req.end(rq.payload);
  });
}

const readsBody = (spec: HttpSpec) =>
  spec.bodyContains.length + spec.bodyNotContains.length + spec.json.length > 0 || spec.bodyRegex !== undefined;

function statusMatches(status: number, expect: readonly (number | string)[]): boolean {
  for (const e of expect) {
    if (typeof e === 'number') {
      if (status === e) return true;
    } else if (e.length === 3) {
      if (Math.floor(status / 100) === e.charCodeAt(0) - 48) return true;
    } else if (status >= Number(e.slice(0, 3)) && status <= Number(e.slice(4))) {
      return true;
    }
  }
  return false;
}

function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

function evaluate(
  spec: HttpSpec,
  hop: Hop,
  certificate: CertificateInfo | undefined,
  timings: ProbeTimings,
  t0: number,
  redirectCount: number,
): ProbeResult {
  // The response is complete: assertions below do not count towards its time.
  const t = finalTimings(timings, t0);
  const totalMs = t.totalMs;
  const problems: Problem[] = [];
  const status = `${hop.status} ${hop.statusText}`.trim();
  if (!statusMatches(hop.status, spec.expectStatus)) {
    const expected = spec.expectStatus.join(', ');
    if (spec.auth && (hop.status === 401 || hop.status === 403)) {
      const message = `status ${status}: the server refused the ${spec.auth.type} credentials (expected ${expected})`;
      problems.push({ phase: 'auth', code: 'auth_rejected', message });
    } else {
      problems.push({
        phase: 'assertion',
        code: 'unexpected_status',
        message: `status ${status}, expected ${expected}`,
      });
    }
  }
  const within = hop.truncated ? ` (in the first ${bytes(spec.maxBodyBytes)} read)` : '';
  const assert = (code: string, message: string) => problems.push({ phase: 'assertion', code, message });
  // hop.body is the whole body read exactly when an assertion needs the text (see keepBytes).
  const text = readsBody(spec) ? hop.body.toString('utf8') : '';
  for (const s of spec.bodyContains) {
    if (!text.includes(s)) assert('body_missing_text', `body does not contain ${quote(s, 100)}${within}`);
  }
  for (const s of spec.bodyNotContains) {
    if (text.includes(s)) assert('body_forbidden_text', `body contains ${quote(s, 100)}`);
  }
  if (spec.bodyRegex !== undefined) {
    const re = cachedRegex(spec.bodyRegex);
    if (!re) assert('invalid_regex', `bodyRegex ${quote(spec.bodyRegex, 100)} does not compile`);
    else if (!re.test(text)) assert('body_regex_mismatch', `body does not match /${spec.bodyRegex}/${within}`);
  }
  if (spec.json.length > 0) {
    let doc: unknown;
    let parsed = true;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      parsed = false;
      const cut = hop.truncated ? `; it was cut at maxBodyBytes (${spec.maxBodyBytes})` : '';
      assert('json_invalid', `body is not JSON: ${(err as Error).message}${cut}`);
    }
    if (parsed) for (const message of checkJsonAssertions(doc, spec.json)) assert('json_assertion', message);
  }
  if (spec.maxResponseMs !== undefined && totalMs > spec.maxResponseMs) {
    assert('too_slow', `response took ${totalMs} ms, more than maxResponseMs ${spec.maxResponseMs}`);
  }
  if (certificate && spec.tls.verify) {
    const expiry = expiryProblem(certificate);
    if (expiry) problems.push({ phase: 'tls', ...expiry });
  }

  const details: Record<string, unknown> = { statusCode: hop.status, size: hop.size, truncated: hop.truncated };
  const judged = problems.some((p) => p.phase === 'tls');
  const note = judged ? '' : expiryNote(certificate);
  if (note) details.warnings = [note.slice(2)];
  const first = problems[0];
  if (!first) {
    const after = redirectCount > 0 ? `, after ${redirectCount} redirect${redirectCount === 1 ? '' : 's'}` : '';
    const cut = hop.truncated ? ` (cut at ${bytes(spec.maxBodyBytes)})` : '';
    const message = `${status}, ${bytes(hop.size)}${cut} in ${totalMs} ms${after}${note}`;
    return { ok: true, latencyMs: totalMs, message, timings: t, details, certificate };
  }
  if (problems.length > 1) details.failures = problems.slice(0, 10).map((p) => p.message);
  if (hop.body.length > 0) details.bodyExcerpt = hop.body.subarray(0, EXCERPT_BYTES).toString('utf8');
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  const message = `${first.message}${more}${note}`;
  return failure(first.phase, first.code, message, totalMs, { timings: t, details, certificate });
}
