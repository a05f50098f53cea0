/** Retry timing and error text for failed tasks. */
export interface BackoffOptions {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Upper bound of any single delay. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 3_600_000 };
export const MAX_ERROR_CHARS = 4_000;

/**
 * Delay before the next try after `attempts` failed attempts: exponential (base · 2^(attempts−1)),
 * capped at `maxMs`, with "equal jitter" — a uniform pick in [d/2, d] — so retries of tasks that
 * failed together spread out while the delay still grows at least geometrically.
 */
export function retryDelayMs(attempts: number, backoff: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** `last_error` text: the stack when there is one (it starts with the message), bounded in size. */
export function describeError(error: unknown): string {
  const text =
    error instanceof Error
      ? (error.stack ?? `${error.name}: ${error.message}`)
      : typeof error === 'string'
        ? error
        : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
