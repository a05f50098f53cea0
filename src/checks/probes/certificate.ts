import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls, { type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { CertificateInfo } from './probe.js';

/**
 * What a TLS peer presented, judged once for the http(s), tls and tcp probes. Probes connect with
 * `rejectUnauthorized: false` and decide themselves, so a certificate is reported even when it does
 * not verify, and nothing (no request, no credentials) is written before the decision.
 */

const DAY_MS = 86_400_000;
const MAX_CONTEXTS = 64;
const contexts = new Map<string, SecureContext>();

/**
 * A secure context trusting the system store plus `ca`, cached by the PEM: building one parses
 * every root certificate, far too much work to repeat per probe.
 * Throws when `ca` is not a PEM bundle OpenSSL accepts.
 */
export function secureContextFor(ca: string | undefined): SecureContext {
  const key = ca ?? '';
  const hit = contexts.get(key);
  if (hit) return hit;
  let ctx: SecureContext;
  if (ca === undefined) {
    ctx = tls.createSecureContext();
  } else {
    // OpenSSL skips what it cannot parse; a CA that trusts nothing must be an error, not a surprise.
    const blocks = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error('no "-----BEGIN CERTIFICATE-----" block found');
    for (const block of blocks) new X509Certificate(block);
    ctx = tls.createSecureContext({ ca: [...tls.rootCertificates, ...blocks] });
  }
  if (contexts.size >= MAX_CONTEXTS) {
    const oldest = contexts.keys().next().value;
    if (oldest !== undefined) contexts.delete(oldest);
  }
  contexts.set(key, ctx);
  return ctx;
}

/** SNI must not be an IP address (RFC 6066 §3); brackets of an IPv6 literal are not part of the name. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function sniFor(host: string): string | undefined {
  const bare = bareHost(host);
  return isIP(bare) === 0 ? bare.replace(/\.$/, '') : undefined;
}

export interface CertThresholds {
  warnDays: number;
  criticalDays: number;
}

function distinguishedName(name: Record<string, string | string[]> | undefined): string {
  if (!name) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(name)) parts.push(`${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return parts.join(', ');
}

function isoDate(text: string): string {
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
}

function errorCode(e: unknown): string | undefined {
  if (e === null || e === undefined) return undefined;
  if (typeof e === 'string') return e;
  const err = e as { code?: unknown; message?: unknown };
  return String(err.code ?? err.message ?? e);
}

/**
 * The peer certificate of a connected TLS socket as CertificateInfo, or undefined when the peer
 * sent none. `peer` is the certificate Node already parsed for the identity check, when there
 * is one, so it is not parsed twice.
 */
export function describeCertificate(
  socket: TLSSocket,
  host: string,
  thresholds: CertThresholds,
  nowMs: number,
  peer?: PeerCertificate,
): CertificateInfo | undefined {
  const cert = peer ?? socket.getPeerCertificate();
  if (!cert?.raw) return undefined;
  const validToMs = Date.parse(cert.valid_to);
  const daysLeft = Math.floor((validToMs - nowMs) / DAY_MS);
  let expiry: CertificateInfo['expiry'] = 'ok';
  if (!(validToMs > nowMs)) expiry = 'expired';
  else if (daysLeft < thresholds.criticalDays) expiry = 'critical';
  else if (daysLeft < thresholds.warnDays) expiry = 'warning';
  // The identity check is ours (hostnameMatches); Node's own, when it ran, is not a chain error.
  const nodeError = errorCode(socket.authorizationError);
  const chainValid = socket.authorized || nodeError === 'ERR_TLS_CERT_ALTNAME_INVALID';
  return {
    subject: distinguishedName(cert.subject as unknown as Record<string, string | string[]>),
    issuer: distinguishedName(cert.issuer as unknown as Record<string, string | string[]>),
    altNames: cert.subjectaltname ? cert.subjectaltname.split(', ') : [],
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    daysLeft,
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    hostnameMatches: tls.checkServerIdentity(bareHost(host), cert) === undefined,
    chainValid,
    chainError: chainValid ? undefined : (nodeError ?? 'UNABLE_TO_VERIFY'),
    expiry,
  };
}

/** What is wrong with a certificate, most fundamental first; empty when nothing is. */
export interface CertificateProblem {
  code: string;
  message: string;
}

export function certificateProblems(cert: CertificateInfo, host: string, judgeExpiry: boolean): CertificateProblem[] {
  const problems: CertificateProblem[] = [];
  if (!cert.chainValid) {
    const code = cert.chainError ?? 'UNABLE_TO_VERIFY';
    problems.push({ code, message: `certificate chain does not verify: ${code}${chainHint(code, cert)}` });
  }
  if (!cert.hostnameMatches) {
    problems.push({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      message: `certificate is not valid for ${bareHost(host)} (it names ${cert.altNames.join(', ') || cert.subject || 'nothing'})`,
    });
  }
  const expiry = judgeExpiry ? expiryProblem(cert) : undefined;
  if (expiry) problems.push(expiry);
  return problems;
}

/** An expired certificate (when the chain check did not already say so) or one under criticalDays. */
export function expiryProblem(cert: CertificateInfo): CertificateProblem | undefined {
  if (cert.expiry === 'expired' && cert.chainError !== 'CERT_HAS_EXPIRED') {
    return { code: 'certificate_expired', message: `certificate expired on ${cert.validTo}` };
  }
  if (cert.expiry === 'critical') {
    return {
      code: 'certificate_expiring',
      message: `certificate expires in ${daysText(cert.daysLeft)} (${cert.validTo})`,
    };
  }
  return undefined;
}

function chainHint(code: string, cert: CertificateInfo): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return ` (expired on ${cert.validTo})`;
    case 'CERT_NOT_YET_VALID':
      return ` (valid from ${cert.validFrom})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return ' (self-signed; add its CA to trust it)';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return ` (issuer ${cert.issuer} is not trusted)`;
    default:
      return '';
  }
}

export function daysText(days: number): string {
  return days === 1 ? '1 day' : `${days} days`;
}

/** The annotation a healthy result carries about its certificate: "; certificate expires in 9 days". */
export function expiryNote(cert: CertificateInfo | undefined): string {
  if (!cert || cert.expiry === 'ok') return '';
  if (cert.expiry === 'expired') return `; certificate expired on ${cert.validTo}`;
  return `; certificate expires in ${daysText(cert.daysLeft)}`;
}
