import type { Database, Tx } from './database.js';

interface Item {
  fn: (trx: Tx) => Promise<unknown>;
  key: string;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for small bookkeeping writes (delivery receipts): calls made while a commit is in
 * flight, or in the same turn of the event loop, share one relaxed transaction, so a burst of N
 * deliveries costs a few commits instead of N. Each call's `fn` runs alone, in order, inside the
 * shared transaction; when one throws, the whole batch rolls back and every call is retried in a
 * transaction of its own, so one failure fails only its own call. `fn` must therefore tolerate being
 * run twice (its writes are rolled back in between; after-commit callbacks of the rolled-back run
 * are dropped by the database).
 */
export class BatchedTransactions {
  private queued: Item[] = [];
  private running = false;

  constructor(
    private readonly database: Database,
    private readonly maxBatch = 64,
  ) {}

  /**
   * `key`: the row `fn` locks, if any. A batch runs its calls in key order, so two instances locking
   * the same rows in one transaction each take them in the same order and cannot deadlock.
   */
  run<T>(fn: (trx: Tx) => Promise<T>, key = ''): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ fn, key, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // Next turn of the event loop: calls made by handlers finishing in this one join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length) {
        const batch = this.queued.splice(0, this.maxBatch);
        batch.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Item[]): Promise<void> {
    if (batch.length > 1) {
      let results: unknown[] | undefined;
      try {
        results = await this.database.relaxedTransaction(async (trx) => {
          const out: unknown[] = [];
          for (const item of batch) out.push(await item.fn(trx));
          return out;
        });
      } catch {
        results = undefined; // one of them failed: each alone below
      }
      if (results) {
        for (const [i, item] of batch.entries()) item.resolve(results[i]);
        return;
      }
    }
    for (const item of batch) {
      try {
        item.resolve(await this.database.relaxedTransaction((trx) => item.fn(trx)));
      } catch (err) {
        item.reject(err);
      }
    }
  }
}
