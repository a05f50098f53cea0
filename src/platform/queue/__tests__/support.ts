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
