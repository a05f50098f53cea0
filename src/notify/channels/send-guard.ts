import { performance } from 'node:perf_hooks';
import { NotFoundError } from '../../platform/errors.js';
import type { DeliveryResult } from '../../platform/outbound/delivery-result.js';
import type { SendContext } from './message.js';

/**
 * The frame every channel send runs in: secrets are revealed through it, so that each value (and any
 * form derived from it, e.g. a Basic credential) is scrubbed from `error` and `response` before the
 * result becomes a receipt; anything thrown becomes a failed result. Receipts are shown to operators
 * who may not read Secrets.
 */

export const REDACTED = '[redacted]';
/** Shorter values would scrub ordinary words out of an error; no real credential is this short. */
const MIN_REDACTED_LENGTH = 4;
/** `/hook` is no secret; `/services/T0/B0/xyz…` is. */
const MIN_URL_PATH_LENGTH = 12;

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

function scrub(text: string, secrets: Set<string>): string {
  let out = text;
  // Longest first: a whole URL goes as one, before its path alone would leave the host beside a marker.
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  for (const s of longestFirst) if (s.length >= MIN_REDACTED_LENGTH) out = out.split(s).join(REDACTED);
  return out;
}

/** Runs `send` with secret access; never throws, never lets a revealed value out. */
export async function guardedSend(
  ctx: SendContext,
  send: (secrets: SecretAccess) => Promise<DeliveryResult>,
): Promise<DeliveryResult> {
  const t0 = performance.now();
  const secrets = new Set<string>();
  const hide = (value: string) => {
    secrets.add(value);
    // Error texts may quote a URL or form value in its encoded form.
    secrets.add(encodeURIComponent(value));
    // A webhook URL's credential is its path (Slack, Teams): a peer or proxy may echo just that.
    if (/^https?:\/\//i.test(value) && URL.canParse(value)) {
      const { pathname, search } = new URL(value);
      if (pathname.length + search.length >= MIN_URL_PATH_LENGTH) secrets.add(pathname + search);
    }
  };
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
  if (result.error !== undefined) result.error = scrub(result.error, secrets);
  if (result.response !== undefined) result.response = scrub(result.response, secrets);
  return result;
}
