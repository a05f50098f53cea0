import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { postJson } from '../../platform/outbound/http-post.js';
import type { ChannelSpec } from '../channel.model.js';
import type { ChannelMessage, SendContext } from './message.js';
import { withPeerReason } from './peer-reason.js';
import { failed, guardedSend } from './send-guard.js';

/**
 * Generic webhook: Mainstay's own JSON payload, signed like Stripe's and Slack's webhooks. The HMAC
 * covers `${timestamp}.${rawBody}`, so a receiver that checks the timestamp against its clock rejects
 * a captured request replayed later, and one that checks the signature rejects any change to either.
 */

type WebhookSpec = Extract<ChannelSpec, { type: 'webhook' }>;

export interface WebhookPayload {
  version: '1';
  id: string;
  event: ChannelMessage['event'];
  at: string;
  title: string;
  text: string;
  /** null for a message without an incident (a test), so the key is always there. */
  incident: NonNullable<ChannelMessage['incident']> | null;
  links: ChannelMessage['links'];
  recipient: NonNullable<ChannelMessage['recipient']> | null;
}

/** Receivers may reject a timestamp further than this from their clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function webhookPayload(msg: ChannelMessage): WebhookPayload {
  return {
    version: '1',
    id: msg.id,
    event: msg.event,
    at: msg.at,
    title: msg.title,
    text: msg.text,
    incident: msg.incident ?? null,
    links: msg.links,
    recipient: msg.recipient ?? null,
  };
}

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<rawBody>")>`, the X-Mainstay-Signature value. */
export function signWebhook(secret: string, timestamp: number | string, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/**
 * For receivers (and tests): true when `header` carries a v1 signature of `timestamp.rawBody` under
 * `secret` and `timestamp` (unix seconds) is within `toleranceSec` of `now` (epoch milliseconds).
 * Several comma-separated `v1=` values are accepted, so a receiver can rotate secrets.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  rawBody: string,
  header: string | undefined,
  now: number,
  toleranceSec = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (timestamp === undefined || header === undefined || !/^\d{1,12}$/.test(String(timestamp))) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  return header.split(',').some((part) => {
    const given = Buffer.from(part.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** POSTs the payload; the spec's headers cannot replace the idempotency, event or signature headers. */
export function sendWebhook(spec: WebhookSpec, msg: ChannelMessage, ctx: SendContext): Promise<DeliveryResult> {
  return guardedSend(ctx, async (secrets) => {
    const url = spec.url ?? (await secrets.reveal(spec.urlSecret as string));
    // fetch refuses user:password@ URLs with an error that quotes the URL; say what to do instead.
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (parsed && (parsed.username || parsed.password)) {
      return failed('the URL carries credentials (user:password@); send them in an Authorization header instead');
    }
    const body = JSON.stringify(webhookPayload(msg));
    const timestamp = Math.floor(ctx.now() / 1000);
    const fixedHeaders: Record<string, string> = {
      'Idempotency-Key': msg.id,
      'X-Mainstay-Event': msg.event,
      'X-Mainstay-Timestamp': String(timestamp),
    };
    if (spec.signingSecret) {
      fixedHeaders['X-Mainstay-Signature'] = signWebhook(await secrets.reveal(spec.signingSecret), timestamp, body);
    }
    const secretHeaders: Record<string, string> = {};
    for (const [name, secret] of Object.entries(spec.headerSecrets ?? {}))
      secretHeaders[name] = await secrets.reveal(secret);
    const result = await postJson(url, body, {
      headers: { 'User-Agent': ctx.userAgent, ...spec.headers, ...secretHeaders },
      contentType: 'application/json',
      fixedHeaders,
      timeoutSeconds: spec.timeoutSeconds,
      signal: ctx.signal,
    });
    return withPeerReason(result, (text) => text);
  });
}
