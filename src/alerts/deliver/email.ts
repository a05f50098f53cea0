import { performance } from 'node:perf_hooks';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { EmailTarget } from '../config.model.js';
import { renderEmail } from './email-body.js';
import { RESPONSE_EXCERPT_BYTES } from './http-post.js';
import { clip, type DeliveryResult, type GroupNotification } from './notification.js';

/**
 * Email through SMTP with nodemailer's SMTPConnection rather than its transport, so that the caller's
 * signal and the deadline really close the connection instead of leaving a send running behind a
 * returned result. Retry follows RFC 5321 §4.2.1 reply classes, inverted from HTTP's: 4yz is
 * transient (retry), 5yz permanent (don't).
 */

export interface EmailDeliveryOptions {
  /** The default server, `smtp://[user:pass@]host[:port]` or `smtps://…` (MAINSTAY_SMTP_URL); used when the target has no smarthost. */
  smtpUrl?: string | undefined;
  /** The value of the target's authPasswordSecret, resolved by the caller. */
  password?: string | undefined;
  /** Sender when the target has no `from`. */
  from: string;
  signal?: AbortSignal | undefined;
  /** Deadline of the whole SMTP transaction; default 30. */
  timeoutSeconds?: number | undefined;
}

export const EMAIL_TIMEOUT_SECONDS = 30;

/** A configuration problem found before connecting: no retry will fix it. */
class SetupError extends Error {}

interface Server {
  host: string;
  port: number | undefined;
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
}

/**
 * The server to talk to: the target's smarthost (implicit TLS on port 465, as Alertmanager), else the
 * default URL. The URL's credentials serve only the URL's server, never a target's smarthost.
 */
function smtpServerOf(target: EmailTarget, opts: Pick<EmailDeliveryOptions, 'smtpUrl' | 'password'>): Server {
  const targetAuth = target.authUsername ? { user: target.authUsername, pass: opts.password ?? '' } : undefined;
  if (target.smarthost) {
    const at = target.smarthost.lastIndexOf(':');
    const port = Number(target.smarthost.slice(at + 1));
    return { host: target.smarthost.slice(0, at), port, secure: port === 465, auth: targetAuth };
  }
  if (!opts.smtpUrl)
    throw new SetupError('no SMTP server: the target has no smarthost and MAINSTAY_SMTP_URL is not set');
  const url = URL.canParse(opts.smtpUrl) ? new URL(opts.smtpUrl) : undefined;
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
    auth: targetAuth ?? urlAuth,
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

function messageIdOf(n: GroupNotification, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'mainstay.invalid';
  return `<${n.id.replace(/[^A-Za-z0-9._-]/g, '-')}@${domain}>`;
}

/**
 * Sends the notification to the target's recipients; never throws. `statusCode` and `response` hold
 * the SMTP reply. Some recipients rejected while others accepted is `ok` (a retry would duplicate the
 * mail to the others), with the rejections in `error`.
 */
export async function deliverEmail(
  target: EmailTarget,
  n: GroupNotification,
  opts: EmailDeliveryOptions,
): Promise<DeliveryResult> {
  const t0 = performance.now();
  const took = () => Math.round(performance.now() - t0);
  const fail = (retryable: boolean, error: string, statusCode?: number, response?: string): DeliveryResult => ({
    ok: false,
    retryable,
    latencyMs: took(),
    error,
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(response === undefined ? {} : { response: clip(response, RESPONSE_EXCERPT_BYTES) }),
  });

  const seconds = opts.timeoutSeconds ?? EMAIL_TIMEOUT_SECONDS;
  let server: Server;
  let message: Buffer;
  let envelope: SMTPConnection.Envelope;
  try {
    server = smtpServerOf(target, opts);
    const from = target.from ?? opts.from;
    const body = renderEmail(n);
    const mail = new MailComposer({
      from,
      to: target.to,
      ...body,
      messageId: messageIdOf(n, from),
      // RFC 3834: no vacation auto-replies to an alert.
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Mainstay-Notification': n.id },
    }).compile();
    envelope = mail.getEnvelope();
    message = await mail.build();
  } catch (err) {
    return fail(false, (err as Error).message);
  }

  const deadline = AbortSignal.timeout(seconds * 1000);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const ms = seconds * 1000;
  try {
    const info = await transact(
      {
        host: server.host,
        port: server.port,
        secure: server.secure,
        requireTLS: target.requireTls,
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
      response: clip(info.response, RESPONSE_EXCERPT_BYTES),
      ...(statusCode === undefined ? {} : { statusCode }),
    };
    if (info.rejected.length > 0) {
      const why = (info.rejectedErrors ?? []).map((e) => e.response ?? e.message).join('; ');
      result.error = `rejected: ${info.rejected.join(', ')}${why ? ` (${why})` : ''}`;
    }
    return result;
  } catch (err) {
    if (deadline.aborted) return fail(true, `no SMTP reply within ${seconds} s`);
    if (opts.signal?.aborted) return fail(true, `aborted: ${String(opts.signal.reason)}`);
    const e = err as SmtpError;
    return fail(smtpRetryable(e), e.message, e.responseCode, e.response);
  }
}
