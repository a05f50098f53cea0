import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { InputError } from '../errors.js';
import type { MainstayModule } from '../module.js';
import type { SecretBox } from './secret-box.js';
import { secretsMigrations } from './secrets.migrations.js';
import { secretKind } from './secrets.resources.js';
import { secretsRoutes } from './secrets.routes.js';
import { SecretsService } from './secrets.service.js';

export { loadSecretKey, SecretBox } from './secret-box.js';
export { SecretsService } from './secrets.service.js';

export interface SecretsModule extends MainstayModule {
  secrets: SecretsService;
}

/** Named secrets other resources reference (check credentials, channel tokens…). */
export function secretsModule(deps: {
  database: Database;
  clock: Clock;
  audit: AuditStore;
  box: SecretBox;
}): SecretsModule {
  const secrets = new SecretsService(deps.database, deps.clock, deps.audit, deps.box);
  return {
    name: 'secrets',
    migrations: secretsMigrations,
    routes: secretsRoutes(secrets),
    resources: [secretKind(secrets)],
    secrets,
    start: () => checkSecretKey(deps.database, deps.box, deps.clock.now()),
  };
}

/**
 * Every instance on one database must seal and open secrets with the same key. The first start
 * records the key's id; a start with another key (a second instance with its own generated
 * secret.key, or a changed MAINSTAY_SECRET_KEY) stops with what to do, instead of serving
 * secrets it cannot open.
 */
async function checkSecretKey(database: Database, box: SecretBox, now: number): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: a one-row table of this module
  const db = database.db as any;
  await db
    .insertInto('secret_key')
    .values({ id: 1, key_id: box.keyId, created_at: now })
    .onConflict((oc: { column(c: string): { doNothing(): unknown } }) => oc.column('id').doNothing())
    .execute();
  const row = (await db.selectFrom('secret_key').select('key_id').where('id', '=', 1).executeTakeFirst()) as
    | { key_id: string }
    | undefined;
  if (row && row.key_id !== box.keyId) {
    throw new InputError(
      `this database's secrets are sealed with key ${row.key_id}, but this instance's key is ${box.keyId}`,
      {
        code: 'secret_key_mismatch',
        hint: 'every instance on one database needs the same key: set MAINSTAY_SECRET_KEY to the value the others use, or copy secret.key from the data directory of the instance that created the database',
      },
    );
  }
}
