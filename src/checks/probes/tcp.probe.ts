import net, { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls, { type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { TcpSpec } from '../check.model.js';
import { bareHost, describeCertificate, secureContextFor, sniFor } from './certificate.js';
import {
  type CertificateInfo,
  failure,
  type Probe,
  type ProbeContext,
  type ProbePhase,
  type ProbeResult,
  type ProbeTimings,
} from './probe.js';

/**
 * The tcp probe, and the connect step every socket probe shares (DNS, TCP, optional TLS, each
 * timed from the socket's own events and each failing with its phase and a precise message).
 */

export const ms = (x: number): number => Math.round(x * 10) / 10;

/** The timings so far with totalMs measured from `t0`. */
export function finalTimings(timings: ProbeTimings, t0: number): ProbeTimings {
  timings.totalMs = ms(performance.now() - t0);
  return timings;
}

/** A failed result whose latency is the totalMs of its timings. */
export function timedFailure(
  phase: ProbePhase,
  code: string,
  message: string,
  timings: ProbeTimings,
  t0: number,
  extra: { details?: Record<string, unknown>; certificate?: CertificateInfo | undefined } = {},
): ProbeResult {
  const t = finalTimings(timings, t0);
  return failure(phase, code, message, t.totalMs, { timings: t, ...extra });
}

export function add(timings: ProbeTimings, key: 'dnsMs' | 'connectMs' | 'tlsMs' | 'firstByteMs', delta: number) {
  timings[key] = ms((timings[key] ?? 0) + delta);
}

/** `"220 ready\r\n"` — JSON-escaped so control characters stay visible, bounded for messages. */
export function quote(text: string, max = 200): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** "timeout" when the signal fired at the deadline, "aborted" when the probe was cancelled (shutdown). */
export function abortCode(signal: AbortSignal): 'timeout' | 'aborted' {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError' || reason === undefined ? 'timeout' : 'aborted';
}

export interface ConnectTarget {
  host: string;
  port: number;
  tls?: { context: SecureContext; servername?: string | undefined } | undefined;
}

export type Opened = { socket: Socket; peer?: PeerCertificate | undefined } | { failed: ProbeResult };

type ConnectPhase = 'dns' | 'connect' | 'tls';

function connectFailure(err: NodeJS.ErrnoException, phase: ConnectPhase, where: string, host: string) {
  const code = err.code ?? 'ERR_CONNECT';
  if (phase === 'dns') {
    const why =
      code === 'ENOTFOUND' ? 'no such host' : code === 'EAI_AGAIN' ? 'temporary resolver failure' : err.message;
    return { code, message: `DNS lookup of ${host} failed: ${why} (${code})` };
  }
  if (phase === 'connect') {
    if (code === 'ECONNREFUSED') return { code, message: `connection to ${where} refused (ECONNREFUSED)` };
    return { code, message: `could not connect to ${where}: ${err.message || code}` };
  }
  if (code === 'ECONNRESET') {
    return { code, message: `${where} closed the connection during the TLS handshake (ECONNRESET)` };
  }
  return { code, message: `TLS handshake with ${where} failed: ${err.message || code}` };
}

/**
 * Connects to `target` (and completes the TLS handshake without judging the certificate: the
 * caller does, before it writes anything). Settles with the socket, or with a failure naming the
 * phase, as soon as the socket fails or `ctx.signal` aborts.
 */
export function openConnection(target: ConnectTarget, ctx: ProbeContext, timings: ProbeTimings, t0: number) {
  return new Promise<Opened>((resolve) => {
    const host = bareHost(target.host);
    const where = `${target.host}:${target.port}`;
    let phase: ConnectPhase = isIP(host) ? 'connect' : 'dns';
    let mark = performance.now();
    let peer: PeerCertificate | undefined;
    let settled = false;

    const timeoutMessage = () => {
      const n = ctx.timeoutMs;
      if (phase === 'dns') return `DNS lookup of ${host} did not finish within ${n} ms`;
      if (phase === 'connect') return `TCP connection to ${where} was not established within ${n} ms`;
      return `TLS handshake did not finish within ${n} ms`;
    };
    const failed = (code: string, message: string): Opened => ({
      failed: timedFailure(phase, code, message, timings, t0),
    });
    if (ctx.signal.aborted) return resolve(failed(abortCode(ctx.signal), timeoutMessage()));

    const opts = { host, port: target.port };
    const socket: Socket = target.tls
      ? tls.connect({
          ...opts,
          servername: target.tls.servername,
          secureContext: target.tls.context,
          rejectUnauthorized: false,
          // Keeps the certificate Node parses anyway; the verdict on the name is the caller's.
          checkServerIdentity: (_name: string, cert: PeerCertificate) => {
            peer = cert;
            return undefined;
          },
        })
      : net.connect(opts);

    const fail = (code: string, message: string) => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      resolve(failed(code, message));
    };
    const onAbort = () => {
      const code = abortCode(ctx.signal);
      fail(code, code === 'aborted' ? `probe cancelled during ${phase}` : timeoutMessage());
    };
    const onLookup = (err: Error | null) => {
      const now = performance.now();
      add(timings, 'dnsMs', now - mark);
      mark = now;
      if (!err) phase = 'connect';
    };
    const onConnect = () => {
      const now = performance.now();
      add(timings, 'connectMs', now - mark);
      mark = now;
      if (target.tls) phase = 'tls';
      else succeed();
    };
    const onSecure = () => {
      add(timings, 'tlsMs', performance.now() - mark);
      succeed();
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const f = connectFailure(err, phase, where, host);
      fail(f.code, f.message);
    };
    const onClose = () =>
      fail('closed', `${where} closed the connection during ${phase === 'tls' ? 'the TLS handshake' : phase}`);
    const succeed = () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({ socket, peer });
    };
    function cleanup() {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.removeListener('lookup', onLookup);
      socket.removeListener('connect', onConnect);
      socket.removeListener('secureConnect', onSecure);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('lookup', onLookup);
    socket.once('connect', onConnect);
    socket.once('secureConnect', onSecure);
    socket.on('error', onError);
    socket.once('close', onClose);
  });
}

const MAX_READ = 64 * 1024;
const DEFAULT_THRESHOLDS = { warnDays: 14, criticalDays: 7 };

export const tcpProbe: Probe<TcpSpec> = async (spec, ctx) => {
  const t0 = performance.now();
  const timings: ProbeTimings = { totalMs: 0 };
  const where = `${spec.host}:${spec.port}`;
  const context = spec.tls ? secureContextFor(undefined) : undefined;
  const opened = await openConnection(
    { host: spec.host, port: spec.port, tls: context && { context, servername: sniFor(spec.host) } },
    ctx,
    timings,
    t0,
  );
  if ('failed' in opened) return opened.failed;
  const { socket } = opened;
  // A tcp check judges reachability and the reply; certificates are the tls check's job, so the
  // certificate is reported, not enforced.
  const certificate = spec.tls
    ? describeCertificate(socket as TLSSocket, spec.host, DEFAULT_THRESHOLDS, ctx.now(), opened.peer)
    : undefined;
  const protocol = spec.tls ? ' over TLS' : '';
  if (spec.send === undefined && spec.expect === undefined) {
    socket.destroy();
    const t = finalTimings(timings, t0);
    return {
      ok: true,
      latencyMs: t.totalMs,
      message: `connected to ${where}${protocol} in ${t.totalMs} ms`,
      timings: t,
      details: {},
      certificate,
    };
  }
  return converse(socket, spec, ctx, t0, timings, certificate);
};

function converse(
  socket: Socket,
  spec: TcpSpec,
  ctx: ProbeContext,
  t0: number,
  timings: ProbeTimings,
  certificate: CertificateInfo | undefined,
): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    const expect = spec.expect === undefined ? undefined : Buffer.from(spec.expect);
    const wanted = spec.expect === undefined ? '' : quote(spec.expect, 100);
    const sentAt = performance.now();
    let received = Buffer.alloc(0);
    let sent = spec.send === undefined;
    let settled = false;

    const got = () => (received.length === 0 ? 'nothing' : quote(received.toString('utf8')));
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const fail = (phase: 'request' | 'response', code: string, message: string) => {
      const details = { bytesReceived: received.length, received: received.subarray(0, 1024).toString('utf8') };
      finish(timedFailure(phase, code, message, timings, t0, { details, certificate }));
    };
    const pass = () => {
      const t = finalTimings(timings, t0);
      const what = expect ? `received ${wanted}` : `sent ${Buffer.byteLength(spec.send ?? '')} B`;
      finish({
        ok: true,
        latencyMs: t.totalMs,
        message: `connected to ${spec.host}:${spec.port}${spec.tls ? ' over TLS' : ''} and ${what} in ${t.totalMs} ms`,
        timings: t,
        details: { bytesReceived: received.length },
        certificate,
      });
    };
    function onAbort() {
      const code = abortCode(ctx.signal);
      if (!sent) return fail('request', code, `connected, but could not send within ${ctx.timeoutMs} ms`);
      fail('response', code, `connected, but did not receive ${wanted} within ${ctx.timeoutMs} ms; got: ${got()}`);
    }

    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) return onAbort();
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERR_SOCKET';
      if (!sent) fail('request', code, `could not send to ${spec.host}:${spec.port}: ${err.message || code}`);
      else
        fail('response', code, `connection failed while waiting for ${wanted}: ${err.message || code}; got: ${got()}`);
    });
    socket.on('close', () => {
      if (!sent) return fail('request', 'closed', `connection closed before the text was sent`);
      if (!expect) return pass();
      fail('response', 'closed', `connection closed before ${wanted} arrived; got: ${got()}`);
    });
    if (expect) {
      socket.on('data', (chunk: Buffer) => {
        if (received.length === 0) add(timings, 'firstByteMs', performance.now() - sentAt);
        const from = Math.max(0, received.length - expect.length + 1);
        received = Buffer.concat([received, chunk.subarray(0, MAX_READ - received.length)]);
        if (received.indexOf(expect, from) >= 0) return pass();
        if (received.length >= MAX_READ) {
          fail('response', 'expect_not_found', `read 64 KiB without receiving ${wanted}; got: ${got()}`);
        }
      });
    }
    if (spec.send !== undefined) {
      socket.write(spec.send, (err) => {
        if (err) return;
        sent = true;
        if (!expect) pass();
      });
    }
  });
}
