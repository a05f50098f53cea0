import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { SMTP_TIMEOUT_SECONDS, sendMail } from '../../platform/outbound/smtp.js';
import type { EmailTarget } from '../config.model.js';
import { renderEmail } from './email-body.js';
import type { GroupNotification } from './notification.js';

/**
 * Alert email: the body is rendered here, the SMTP transaction (deadline, abort, RFC 5321 retry
 * classes) is the platform's `sendMail`.
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

export const EMAIL_TIMEOUT_SECONDS = SMTP_TIMEOUT_SECONDS;

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
  const from = target.from ?? opts.from;
  return sendMail({
    smarthost: target.smarthost,
    smtpUrl: opts.smtpUrl,
    auth: target.authUsername ? { user: target.authUsername, pass: opts.password ?? '' } : undefined,
    requireTls: target.requireTls,
    from,
    to: target.to,
    ...renderEmail(n),
    messageId: messageIdOf(n, from),
    // RFC 3834: no vacation auto-replies to an alert.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Mainstay-Notification': n.id },
    signal: opts.signal,
    timeoutSeconds: opts.timeoutSeconds ?? EMAIL_TIMEOUT_SECONDS,
  });
}
