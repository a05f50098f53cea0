import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
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
  };
}
