/**
 * The outcome of one outbound attempt (an HTTP POST, an SMTP transaction). Failures are data: a sender
 * never throws, so the caller can record a receipt and let the queue decide about a retry.
 */
export interface DeliveryResult {
  ok: boolean;
  /** Worth another attempt later (network, timeout, 408/429/5xx, SMTP 4yz). */
  retryable: boolean;
  /** HTTP status, or the SMTP reply code for email. */
  statusCode?: number;
  latencyMs: number;
  error?: string;
  /** The first 1 KiB of the response body (the last SMTP reply for email). */
  response?: string;
  /** From Retry-After on 429/503: wait at least this long before the next attempt. */
  retryAfterMs?: number;
}

/** How much of a response a receipt keeps: enough to read the peer's reason, never a whole page. */
export const RESPONSE_EXCERPT_BYTES = 1024;
