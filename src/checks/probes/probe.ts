/**
 * What every probe returns. A probe never throws and always settles within its
 * timeout: every failure is a result whose `error` says exactly what went wrong
 * and in which phase ("TLS handshake did not finish within 5000 ms").
 */

export type ProbePhase =
  | 'config'
  | 'dns'
  | 'connect'
  | 'tls'
  | 'request'
  | 'response'
  | 'body'
  | 'redirect'
  | 'auth'
  | 'command'
  | 'query'
  | 'assertion';

export interface ProbeTimings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

/** The certificate a TLS peer presented (tls checks and every https check). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Subject alternative names, e.g. ["DNS:example.com", "IP Address:127.0.0.1"]. */
  altNames: string[];
  validFrom: string;
  validTo: string;
  /** Whole days until validTo (negative when expired). */
  daysLeft: number;
  fingerprint256: string;
  serialNumber: string;
  hostnameMatches: boolean;
  /** Chain verifies against the trusted CAs (system store plus the spec's `ca`). */
  chainValid: boolean;
  /** OpenSSL's reason when the chain does not verify, e.g. CERT_HAS_EXPIRED. */
  chainError?: string | undefined;
  /** ok | warning | critical, from the spec's warnDays / criticalDays. */
  expiry: 'ok' | 'warning' | 'critical' | 'expired';
}

export interface ProbeResult {
  ok: boolean;
  /** Total time, ms (for the response-time chart and rollups). */
  latencyMs: number;
  /** One line for people: "200 OK, 1.2 kB in 12 ms" or the exact failure. */
  message: string;
  error?: { phase: ProbePhase; code: string } | undefined;
  timings?: ProbeTimings | undefined;
  /** Kind-specific facts, JSON-serialisable and bounded (http: statusCode, size, bodyExcerpt on failure…). */
  details: Record<string, unknown>;
  certificate?: CertificateInfo | undefined;
}

export interface ProbeContext {
  /** Aborted at the timeout (or on shutdown); the probe must stop and settle promptly. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Reads a Secret resource's value by name; rejects with a clear message when it does not exist. */
  secret(name: string): Promise<string>;
  /** Milliseconds since the epoch (injected clock) for certificate day counts. */
  now(): number;
}

export type Probe<Spec> = (spec: Spec, ctx: ProbeContext) => Promise<ProbeResult>;

/** A failed result with the phase and code that name what went wrong. */
export function failure(
  phase: ProbePhase,
  code: string,
  message: string,
  latencyMs: number,
  extra: Partial<Pick<ProbeResult, 'timings' | 'details' | 'certificate'>> = {},
): ProbeResult {
  return { ok: false, latencyMs, message, error: { phase, code }, details: extra.details ?? {}, ...extra };
}
