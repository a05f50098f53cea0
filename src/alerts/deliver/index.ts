import type { EmailTarget, SlackTarget, WebhookTarget } from '../config.model.js';
import { deliverEmail } from './email.js';
import { type DeliveryResult, forTarget, type GroupNotification } from './notification.js';
import { deliverSlack } from './slack.js';
import { deliverWebhook } from './webhook.js';

export { deliverEmail, type EmailDeliveryOptions } from './email.js';
export { renderEmail } from './email-body.js';
export {
  type AlertmanagerPayload,
  alertmanagerPayload,
  commonOf,
  type DeliveryResult,
  FIRING_ENDS_AT,
  forTarget,
  type GroupNotification,
  type NotifiedAlert,
  subjectOf,
} from './notification.js';
export { deliverSlack, slackMessage } from './slack.js';
export { deliverWebhook, type HttpDeliveryOptions } from './webhook.js';

/** One target of a receiver, with its secrets (webhook/Slack URL, SMTP password) already resolved. */
export type DeliveryTarget =
  | { kind: 'webhook'; url: string; target: WebhookTarget }
  | { kind: 'slack'; url: string; target: SlackTarget }
  | { kind: 'email'; target: EmailTarget; password?: string | undefined };

export interface DeliveryContext {
  userAgent: string;
  /** Default sender of email. */
  from: string;
  /** MAINSTAY_SMTP_URL, for email targets without a smarthost. */
  smtpUrl?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Delivers `n` to one target after applying its sendResolved (Alertmanager's send_resolved); null when
 * that leaves nothing to send. Never throws.
 */
export async function deliverTo(
  to: DeliveryTarget,
  n: GroupNotification,
  ctx: DeliveryContext,
): Promise<DeliveryResult | null> {
  const sendable = forTarget(n, to.target.sendResolved);
  if (!sendable) return null;
  const http = { userAgent: ctx.userAgent, signal: ctx.signal };
  switch (to.kind) {
    case 'webhook':
      return deliverWebhook(to.url, to.target, sendable, http);
    case 'slack':
      return deliverSlack(to.url, to.target, sendable, http);
    case 'email':
      return deliverEmail(to.target, sendable, {
        from: ctx.from,
        smtpUrl: ctx.smtpUrl,
        password: to.password,
        signal: ctx.signal,
      });
  }
}
