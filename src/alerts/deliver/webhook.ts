import { postJson } from '../../platform/outbound/http-post.js';
import type { WebhookTarget } from '../config.model.js';
import { alertmanagerPayload, type DeliveryResult, type GroupNotification } from './notification.js';

export interface HttpDeliveryOptions {
  /** Aborts the attempt (shutdown); reported as retryable. */
  signal?: AbortSignal | undefined;
  userAgent: string;
}

/**
 * POSTs the Alertmanager v4 payload to a webhook target. `url` is the target's url, or the value of
 * its urlSecret resolved by the caller, as are its headerSecrets. The idempotency key (`n.id`) is sent twice: as the IETF
 * draft's `Idempotency-Key` and as `X-Mainstay-Notification`, so a receiver can drop a retry it
 * already processed. Never throws.
 */
export function deliverWebhook(
  url: string,
  target: WebhookTarget,
  n: GroupNotification,
  opts: HttpDeliveryOptions & {
    /** The target's headerSecrets, their values revealed by the caller. */
    secretHeaders?: Record<string, string>;
  },
): Promise<DeliveryResult> {
  return postJson(url, JSON.stringify(alertmanagerPayload(n, target.maxAlerts)), {
    headers: { 'User-Agent': opts.userAgent, ...target.headers, ...opts.secretHeaders },
    fixedHeaders: {
      'Content-Type': 'application/json',
      'Idempotency-Key': n.id,
      'X-Mainstay-Notification': n.id,
    },
    timeoutSeconds: target.timeoutSeconds,
    signal: opts.signal,
  });
}
