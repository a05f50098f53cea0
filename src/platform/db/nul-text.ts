import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';

/**
 * PostgreSQL cannot store U+0000 in text (`invalid byte sequence for encoding "UTF8": 0x00`), so a
 * NUL arriving in an alert summary, a label or a note would turn an ordinary request into a 500 on
 * one engine and not on the other. Every text parameter is stored with U+0000 replaced by U+FFFD
 * (the replacement character) — on both engines, so they agree and lookups by the same text match
 * what was stored. JSON kept as text is unaffected (JSON.stringify escapes NUL as `\u0000`).
 */
export function withoutNul(params: readonly unknown[]): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (typeof p === 'string' && p.includes('\u0000')) {
      out ??= params.slice();
      out[i] = p.replaceAll('\u0000', '\uFFFD');
    }
  }
  return out ?? params;
}

function clean(q: CompiledQuery): CompiledQuery {
  const parameters = withoutNul(q.parameters);
  return parameters === q.parameters ? q : { ...q, parameters };
}

/** The dialect with every query's text parameters passed through {@link withoutNul}. */
export function nulSafe(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new NulSafeDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

/** Delegates to the engine's driver; the connections it hands out clean parameters first. */
class NulSafeDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  readonly #raw = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(private readonly inner: Driver) {}

  #wrap(conn: DatabaseConnection): DatabaseConnection {
    let w = this.#wrapped.get(conn);
    if (!w) {
      w = {
        executeQuery: <R>(q: CompiledQuery): Promise<QueryResult<R>> => conn.executeQuery<R>(clean(q)),
        streamQuery: <R>(q: CompiledQuery, chunkSize?: number) => conn.streamQuery<R>(clean(q), chunkSize),
      };
      this.#wrapped.set(conn, w);
      this.#raw.set(w, conn);
    }
    return w;
  }

  #unwrap(conn: DatabaseConnection): DatabaseConnection {
    return this.#raw.get(conn) ?? conn;
  }

  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#wrap(await this.inner.acquireConnection());
  }
  beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(this.#unwrap(conn), settings);
  }
  commitTransaction(conn: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(this.#unwrap(conn));
  }
  rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(this.#unwrap(conn));
  }
  savepoint(conn: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]) {
    if (!this.inner.savepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.savepoint(this.#unwrap(conn), name, compile);
  }
  rollbackToSavepoint(
    conn: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ) {
    if (!this.inner.rollbackToSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.rollbackToSavepoint(this.#unwrap(conn), name, compile);
  }
  releaseSavepoint(
    conn: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ) {
    if (!this.inner.releaseSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.releaseSavepoint(this.#unwrap(conn), name, compile);
  }
  releaseConnection(conn: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(this.#unwrap(conn));
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
