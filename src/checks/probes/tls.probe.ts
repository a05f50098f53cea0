import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type { TlsSpec } from '../check.model.js';
import {
  certificateProblems,
  daysText,
  describeCertificate,
  expiryNote,
  secureContextFor,
  sniFor,
} from './certificate.js';
import { failure, type Probe, type ProbeTimings } from './probe.js';
import { finalTimings, ms, openConnection, timedFailure } from './tcp.probe.js';

/**
 * The tls probe: a handshake with SNI `serverName ?? host` and a verdict on what the peer
 * presented. Down when the chain does not verify, the name does not match, or the certificate is
 * expired or under criticalDays; the message lists every one of those that applies.
 */
export const tlsProbe: Probe<TlsSpec> = async (spec, ctx) => {
  const t0 = performance.now();
  const timings: ProbeTimings = { totalMs: 0 };
  const name = spec.serverName ?? spec.host;
  let context: ReturnType<typeof secureContextFor>;
  try {
    context = secureContextFor(spec.ca);
  } catch (err) {
    const why = (err as Error).message;
    return failure(
      'config',
      'invalid_ca',
      `ca is not a PEM bundle OpenSSL accepts: ${why}`,
      ms(performance.now() - t0),
    );
  }
  const opened = await openConnection(
    { host: spec.host, port: spec.port, tls: { context, servername: sniFor(name) } },
    ctx,
    timings,
    t0,
  );
  if ('failed' in opened) return opened.failed;
  const socket = opened.socket as TLSSocket;
  const certificate = describeCertificate(socket, name, spec.certificate, ctx.now(), opened.peer);
  const details: Record<string, unknown> = {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher().name,
  };
  socket.destroy();
  const where = `${spec.host}:${spec.port}`;
  if (!certificate)
    return timedFailure('tls', 'no_certificate', `${where} sent no certificate`, timings, t0, { details });
  const problems = certificateProblems(certificate, name, true);
  const first = problems[0];
  if (first) {
    if (problems.length > 1) details.problems = problems.map((p) => p.code);
    const message = problems.map((p) => p.message).join('; ');
    return timedFailure('tls', first.code, message, timings, t0, { details, certificate });
  }
  const note = expiryNote(certificate);
  if (note) details.warnings = [note.slice(2)];
  const warn = certificate.expiry === 'warning' ? ` (warning: under ${spec.certificate.warnDays} days)` : '';
  const issuer = certificate.issuer || 'an unnamed issuer';
  const t = finalTimings(timings, t0);
  return {
    ok: true,
    latencyMs: t.totalMs,
    message: `certificate for ${name} valid for ${daysText(certificate.daysLeft)}${warn}, issued by ${issuer} (${details.protocol})`,
    timings: t,
    details,
    certificate,
  };
};
