import { performance } from 'node:perf_hooks';
import { NotFoundError } from '../../platform/errors.js';
import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import { SecretScrubber } from '../../platform/outbound/secret-scrubber.js';
import type { SendContext } from './message.js';

export { REDACTED } from '../../platform/outbound/secret-scrubber.js';

/**
 * The frame every channel send runs in: secrets are revealed through it, so that each value (and any
 * form derived from it, e.g. a Basic credential) is scrubbed from `error` and `response` before the
 * result becomes a receipt; anything thrown becomes a failed result. Receipts are shown to operators
 * who may not read Secrets.
 */

export interface SecretAccess {
  /** The Secret's value, remembered for scrubbing. */
  reveal(name: string): Promise<string>;
  /** Scrub this string too (a value derived from a secret). */
  hide(value: string): void;
}

/** A failed attempt that needs no network: a setup problem or a missing secret. */
export function failed(error: string, retryable = false, latencyMs = 0): DeliveryResult {
  return { ok: false, retryable, latencyMs, error };
}

class RevealError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Runs `send` with secret access; never throws, never lets a revealed value out. */
export async function guardedSend(
  ctx: SendContext,
  send: (secrets: SecretAccess) => Promise<DeliveryResult>,
): Promise<DeliveryResult> {
  const t0 = performance.now();
  const scrubber = new SecretScrubber();
  const hide = (value: string) => scrubber.hide(value);
  const access: SecretAccess = {
    hide,
    async reveal(name) {
      let value: string;
      try {
        value = await ctx.reveal(name);
      } catch (err) {
        // A missing secret needs an operator; a failing store may recover.
        if (err instanceof NotFoundError) throw new RevealError(err.message, false);
        throw new RevealError(`secret ${name} could not be read: ${(err as Error)?.message ?? String(err)}`, true);
      }
      hide(value);
      return value;
    },
  };
  let result: DeliveryResult;
  try {
    result = await send(access);
  } catch (err) {
    const latencyMs = Math.round(performance.now() - t0);
    result =
      err instanceof RevealError
        ? failed(err.message, err.retryable, latencyMs)
        : failed(`channel failed: ${(err as Error)?.message ?? String(err)}`, false, latencyMs);
  }
  if (result.error !== undefined) result.error = scrubber.scrub(result.error);
  if (result.response !== undefined) result.response = scrubber.scrub(result.response);
  return result;
}
