import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { MainstayModule } from '../module.js';
import { accountsMigrations } from './accounts.migrations.js';
import { teamKind, userKind } from './accounts.resources.js';
import { authRoutes } from './auth.routes.js';
import { AuthService } from './auth.service.js';
import { teamsRoutes } from './teams.routes.js';
import { TeamsService } from './teams.service.js';
import { tokensRoutes } from './tokens.routes.js';
import { usersRoutes } from './users.routes.js';
import { UsersService } from './users.service.js';

export { AuthService } from './auth.service.js';
export type { Principal } from './principal.js';
export { ANONYMOUS, assertCan, can, effectiveRole, highestRole } from './principal.js';
export { atLeast, ROLES, type Role, RoleSchema } from './roles.js';
export { TeamsService } from './teams.service.js';
export { UsersService } from './users.service.js';

export interface AccountsModule extends MainstayModule {
  auth: AuthService;
  users: UsersService;
  teams: TeamsService;
}

/** Accounts: users, teams, roles, sessions, API tokens. */
export function accountsModule(deps: {
  database: Database;
  clock: Clock;
  audit: AuditStore;
  sessionTtlMs: number;
}): AccountsModule {
  const users = new UsersService(deps.database, deps.clock, deps.audit);
  const teams = new TeamsService(deps.database, deps.clock, deps.audit);
  const auth = new AuthService(deps.database, deps.clock, deps.audit, { sessionTtlMs: deps.sessionTtlMs });
  return {
    name: 'accounts',
    migrations: accountsMigrations,
    routes: [...authRoutes(auth, users), ...usersRoutes(users), ...teamsRoutes(teams), ...tokensRoutes(auth)],
    resources: [userKind(users), teamKind(teams)],
    auth,
    users,
    teams,
  };
}
