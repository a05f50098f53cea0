import type { SqlSpec } from '../check.model.js';
import { failure, type ProbeContext, type ProbeResult } from './probe.js';
import type { ResolvedSqlSpec } from './sql.probe.js';

const URL_SCHEMES: Record<SqlSpec['driver'], string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mysql: ['mysql:', 'mariadb:'],
};
/** The name under which the resolved password is handed to the probe (no Secret can have it). */
const PASSWORD = '\u0000connection';

/**
 * Reads a SQL check's `connectionSecret` (a postgres:// or mysql:// URL) into the
 * connection settings and a context that answers the password. The URL never
 * leaves the probe, and failures name the secret, not its contents.
 */
export async function resolveConnection(
  spec: SqlSpec & { connectionSecret: string },
  ctx: ProbeContext,
): Promise<{ failure: ProbeResult } | { spec: ResolvedSqlSpec; ctx: ProbeContext }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (code: string, message: string) => ({
    failure: failure('config', code, message, elapsed(), { details: { driver: spec.driver } }),
  });
  let raw: string;
  try {
    raw = (await ctx.secret(spec.connectionSecret)).trim();
  } catch (err) {
    return fail(
      'secret_unavailable',
      `the connection secret ${spec.connectionSecret} could not be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(
      'invalid_connection_secret',
      `the connection secret ${spec.connectionSecret} is not a URL like ${spec.driver}://user:password@host:port/database`,
    );
  }
  if (!URL_SCHEMES[spec.driver].includes(url.protocol)) {
    return fail(
      'invalid_connection_secret',
      `the connection secret ${spec.connectionSecret} is a ${url.protocol.replace(':', '')} URL, but the check's driver is ${spec.driver}`,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const username = decodeURIComponent(url.username);
  if (!url.hostname || !database || !username) {
    return fail(
      'invalid_connection_secret',
      `the connection secret ${spec.connectionSecret} must name a user, a host and a database`,
    );
  }
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const sslmode = url.searchParams.get('sslmode') ?? url.searchParams.get('ssl');
  const resolved: ResolvedSqlSpec = {
    ...spec,
    host: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    database,
    username,
    tls: spec.tls || (sslmode !== null && !['disable', 'false', '0'].includes(sslmode)),
    passwordSecret: password !== undefined ? PASSWORD : undefined,
  };
  return {
    spec: resolved,
    ctx: {
      ...ctx,
      secret: async (name) => (name === PASSWORD && password !== undefined ? password : ctx.secret(name)),
    },
  };
}
