import pino from 'pino';

export const SECOND = 1_000;
export const logger = pino({ level: 'silent' });

/** A promise with its resolve function, for handlers that wait on the test. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits (real time) until `cond()` holds; fails after `timeoutMs` (claims on a loaded CI machine take a while). */
export async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
