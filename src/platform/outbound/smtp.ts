import { performance } from 'node:perf_hooks';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { type DeliveryResult, RESPONSE_EXCERPT_BYTES } from './delivery-result.js';

/**
 * One email through SMTP with nodemailer's SMTPConnection rather than its transport, so that the
 * caller's signal and the deadline really close the connection instead of leaving a send running
 * behind a returned result. Retry follows RFC 5321 §4.2.1 reply classes, inverted from HTTP's: 4yz is
 * transient (retry), 5yz permanent (don't).
 */

export const SMTP_TIMEOUT_SECONDS = 30;

export interface SmtpMessage {
  /** `host:port` of the server (implicit TLS on port 465, as Alertmanager); absent: `smtpUrl`. */
  smarthost?: string | undefined;
  /** The default server, `smtp://[user:pass@]host[:port]` or `smtps://…` (MAINSTAY_SMTP_URL). */
  smtpUrl?: string | undefined;
  /** Credentials to log in with; they replace the URL's. Set credentials must work (no fallback). */
  auth?: { user: string; pass: string } | undefined;
  /** Refuse to send unless the server offers STARTTLS. */
  requireTls?: boolean | undefined;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string | undefined;
  /** Extra header fields (Auto-Submitted, idempotency keys…). */
  headers?: Record<string, string> | undefined;
  /** `<id@domain>`; absent: nodemailer generates one. */
  messageId?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Deadline of the whole SMTP transaction; default 30. */
  timeoutSeconds?: number | undefined;
}

/** A configuration problem found before connecting: no retry will fix it. */
class SetupError extends Error {}

interface Server {
  host: string;
  port: number | undefined;
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
}

/** The server to talk to. The URL's credentials serve only the URL's server, never a smarthost. */
function serverOf(m: SmtpMessage): Server {
  if (m.smarthost) {
    const at = m.smarthost.lastIndexOf(':');
    const port = Number(m.smarthost.slice(at + 1));
    if (at <= 0 || !Number.isInteger(port)) throw new SetupError('the smarthost is not host:port');
    return { host: m.smarthost.slice(0, at), port, secure: port === 465, auth: m.auth };
  }
  if (!m.smtpUrl) throw new SetupError('no SMTP server: the target has no smarthost and MAINSTAY_SMTP_URL is not set');
  const url = URL.canParse(m.smtpUrl) ? new URL(m.smtpUrl) : undefined;
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new SetupError('MAINSTAY_SMTP_URL is not an smtp:// or smtps:// URL');
  }
  const urlAuth = url.username
    ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
    : undefined;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : undefined,
    secure: url.protocol === 'smtps:',
    auth: m.auth ?? urlAuth,
  };
}

type SmtpError = SMTPConnection.SMTPError;

/** 4yz transient, 5yz permanent; without a reply, connection trouble is transient, the rest is setup. */
export function smtpRetryable(err: SmtpError): boolean {
  if (err.responseCode !== undefined) return err.responseCode >= 400 && err.responseCode < 500;
  return !['EAUTH', 'ETLS', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS'].includes(err.code ?? '');
}

/** One SMTP transaction: connect, log in when credentials are set, send, quit. Rejects on the first failure. */
function transact(
  options: SMTPConnection.Options,
  auth: Server['auth'],
  envelope: SMTPConnection.Envelope,
  message: Buffer,
  signal: AbortSignal,
): Promise<SMTPConnection.SentMessageInfo> {
  return new Promise((resolve, reject) => {
    const conn = new SMTPConnection(options);
    let settled = false;
    const finish = (err: SmtpError | null, info?: SMTPConnection.SentMessageInfo) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err || !info) {
        conn.close();
        reject(err ?? new Error('no reply'));
      } else {
        conn.quit();
        resolve(info);
      }
    };
    const onAbort = () => finish(Object.assign(new Error('aborted'), { code: 'EABORT' }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    conn.on('error', (err) => finish(err));
    conn.once('end', () =>
      finish(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' })),
    );
    conn.connect((err) => {
      if (err) return finish(err);
      const send = () => conn.send(envelope, message, (e, info) => finish(e, info));
      // Credentials that are set must work: sending unauthenticated instead would hide the mistake.
      if (auth) conn.login({ credentials: auth }, (e) => (e ? finish(e) : send()));
      else send();
    });
  });
}

function excerpt(s: string): string {
  return s.length <= RESPONSE_EXCERPT_BYTES ? s : `${s.slice(0, RESPONSE_EXCERPT_BYTES - 1)}…`;
}

/**
 * Sends one message; never throws. `statusCode` and `response` hold the SMTP reply. Some recipients
 * rejected while others accepted is `ok` (a retry would duplicate the mail to the others), with the
 * rejections in `error`.
 */
export async function sendMail(m: SmtpMessage): Promise<DeliveryResult> {
  const t0 = performance.now();
  const took = () => Math.round(performance.now() - t0);
  const fail = (retryable: boolean, error: string, statusCode?: number, response?: string): DeliveryResult => ({
    ok: false,
    retryable,
    latencyMs: took(),
    error,
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(response === undefined ? {} : { response: excerpt(response) }),
  });

  const seconds = m.timeoutSeconds ?? SMTP_TIMEOUT_SECONDS;
  let server: Server;
  let message: Buffer;
  let envelope: SMTPConnection.Envelope;
  try {
    server = serverOf(m);
    const mail = new MailComposer({
      from: m.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      ...(m.html === undefined ? {} : { html: m.html }),
      ...(m.messageId === undefined ? {} : { messageId: m.messageId }),
      ...(m.headers === undefined ? {} : { headers: m.headers }),
    }).compile();
    envelope = mail.getEnvelope();
    message = await mail.build();
  } catch (err) {
    return fail(false, (err as Error).message);
  }

  const deadline = AbortSignal.timeout(seconds * 1000);
  const signal = m.signal ? AbortSignal.any([deadline, m.signal]) : deadline;
  const ms = seconds * 1000;
  try {
    const info = await transact(
      {
        host: server.host,
        port: server.port,
        secure: server.secure,
        requireTLS: m.requireTls ?? false,
        connectionTimeout: ms,
        greetingTimeout: ms,
        socketTimeout: ms,
        logger: false,
      },
      server.auth,
      envelope,
      message,
      signal,
    );
    const statusCode = Number(/^\d{3}/.exec(info.response)?.[0]) || undefined;
    const result: DeliveryResult = {
      ok: true,
      retryable: false,
      latencyMs: took(),
      response: excerpt(info.response),
      ...(statusCode === undefined ? {} : { statusCode }),
    };
    if (info.rejected.length > 0) {
      const why = (info.rejectedErrors ?? []).map((e) => e.response ?? e.message).join('; ');
      result.error = `rejected: ${info.rejected.join(', ')}${why ? ` (${why})` : ''}`;
    }
    return result;
  } catch (err) {
    if (deadline.aborted) return fail(true, `no SMTP reply within ${seconds} s`);
    if (m.signal?.aborted) return fail(true, `aborted: ${String(m.signal.reason)}`);
    const e = err as SmtpError;
    return fail(smtpRetryable(e), e.message, e.responseCode, e.response);
  }
}
