import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { clip } from './escape.js';

/**
 * Chat and SMS APIs say why they refused in the body (Slack `invalid_blocks`, Twilio `21211 …`,
 * Telegram `chat not found`); the receipt's error should say it next to the status, so an operator
 * can fix the channel without reading the raw response.
 */

const REASON_MAX = 300;

/** `JSON.parse` that answers undefined instead of throwing: error bodies are often HTML or text. */
export function parseJsonObject(body: string | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Appends `reason(response)` to the error of a failed answer; a result without an answer is unchanged. */
export function withPeerReason(result: DeliveryResult, reason: (body: string) => string | undefined): DeliveryResult {
  if (result.ok || result.statusCode === undefined || !result.response) return result;
  const why = reason(result.response)?.trim();
  if (why) result.error = `${result.error}: ${clip(why, REASON_MAX)}`;
  return result;
}
