import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../db/database.js';
import { containsText } from '../db/text-match.js';
import type { Page, PageQuery } from '../http/pagination.js';
import type { ApiToken } from './accounts.model.js';
import { type AccountsTables, iso, isoOrNull, type SessionRow, type TokenRow } from './accounts.tables.js';
import type { Role } from './roles.js';

const db = (exec: Executor) => exec as Kysely<AccountsTables>;

/** Session cookies and API tokens are random 256-bit strings; only their SHA-256 is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const TOKEN_SORTS = {
  name: 'api_tokens.name',
  createdAt: 'api_tokens.created_at',
  lastUsedAt: 'api_tokens.last_used_at',
} as const;

type TokenWithEmail = TokenRow & { user_email: string };

/** A credential with its user and the user's team roles, as one request's authentication needs them. */
export interface CredentialHolder<R> {
  credential: R;
  user: { id: string; email: string; name: string; role: string | null; disabled: number };
  teamRoles: Map<string, Role>;
}

const USER_COLUMNS = [
  'users.email as u_email',
  'users.name as u_name',
  'users.role as u_role',
  'users.disabled as u_disabled',
  'team_members.team_id as tm_team_id',
  'team_members.role as tm_role',
] as const;

type HolderColumns = {
  u_email: string;
  u_name: string;
  u_role: string | null;
  u_disabled: number;
  tm_team_id: string | null;
  tm_role: string | null;
};

/** Folds the rows of credential ⋈ user ⟕ team_members (one per team, or one without) into one. */
function holderOf<R extends { user_id: string }>(rows: Array<R & HolderColumns>): CredentialHolder<R> | undefined {
  const first = rows[0];
  if (!first) return undefined;
  const { u_email, u_name, u_role, u_disabled, tm_team_id: _t, tm_role: _r, ...credential } = first;
  const teamRoles = new Map<string, Role>();
  for (const r of rows) if (r.tm_team_id !== null) teamRoles.set(r.tm_team_id, r.tm_role as Role);
  return {
    credential: credential as unknown as R,
    user: { id: first.user_id, email: u_email, name: u_name, role: u_role, disabled: Number(u_disabled) },
    teamRoles,
  };
}

/** Sessions, API tokens and failed-login records. */
export const credentialsStore = {
  /** The token with this hash, its user and their team roles: one round trip per request. */
  async tokenHolder(exec: Executor, tokenHash: string): Promise<CredentialHolder<TokenRow> | undefined> {
    const rows = await db(exec)
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .leftJoin('team_members', 'team_members.user_id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select(USER_COLUMNS)
      .where('api_tokens.token_hash', '=', tokenHash)
      .execute();
    return holderOf<TokenRow>(rows);
  },
  /** The session with this hash, its user and their team roles: one round trip per request. */
  async sessionHolder(exec: Executor, tokenHash: string): Promise<CredentialHolder<SessionRow> | undefined> {
    const rows = await db(exec)
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .leftJoin('team_members', 'team_members.user_id', 'sessions.user_id')
      .selectAll('sessions')
      .select(USER_COLUMNS)
      .where('sessions.token_hash', '=', tokenHash)
      .execute();
    return holderOf<SessionRow>(rows);
  },
  async insertSession(exec: Executor, row: SessionRow): Promise<void> {
    await db(exec).insertInto('sessions').values(row).execute();
  },
  async sessionByHash(exec: Executor, tokenHash: string): Promise<SessionRow | undefined> {
    return db(exec).selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },
  async touchSession(exec: Executor, id: string, now: number, expiresAt: number): Promise<void> {
    await db(exec)
      .updateTable('sessions')
      .set({ last_seen_at: now, expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  },
  async deleteSession(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('sessions').where('id', '=', id).execute();
  },
  async deleteUserSessions(exec: Executor, userId: string): Promise<void> {
    await db(exec).deleteFrom('sessions').where('user_id', '=', userId).execute();
  },
  async deleteExpiredSessions(exec: Executor, now: number): Promise<void> {
    await db(exec).deleteFrom('sessions').where('expires_at', '<=', now).execute();
  },

  async insertToken(exec: Executor, row: TokenRow): Promise<void> {
    await db(exec).insertInto('api_tokens').values(row).execute();
  },
  async tokenByHash(exec: Executor, tokenHash: string): Promise<TokenRow | undefined> {
    return db(exec).selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },
  async tokenById(exec: Executor, id: string): Promise<TokenWithEmail | undefined> {
    return db(exec)
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select('users.email as user_email')
      .where('api_tokens.id', '=', id)
      .executeTakeFirst();
  },
  async touchToken(exec: Executor, id: string, now: number): Promise<void> {
    await db(exec).updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  },
  async revokeToken(exec: Executor, id: string, now: number): Promise<void> {
    await db(exec)
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  },
  async listTokens(exec: Executor, userId: string | null, page: PageQuery): Promise<Page<ApiToken>> {
    let qb = db(exec).selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id');
    if (userId) qb = qb.where('api_tokens.user_id', '=', userId);
    if (page.q) qb = qb.where(containsText('api_tokens.name', page.q, { caseInsensitive: true }));
    const sort = page.sort ?? '-createdAt';
    const desc = sort.startsWith('-');
    const col = TOKEN_SORTS[(desc ? sort.slice(1) : sort) as keyof typeof TOKEN_SORTS] ?? 'api_tokens.created_at';
    const countRow = await qb.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const rows = await qb
      .selectAll('api_tokens')
      .select('users.email as user_email')
      .orderBy(col, desc ? 'desc' : 'asc')
      .orderBy('api_tokens.id', desc ? 'desc' : 'asc')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return {
      items: rows.map((r) => credentialsStore.tokenToApi(r)),
      total: Number(countRow?.n ?? 0),
      limit: page.limit,
      offset: page.offset,
    };
  },
  tokenToApi(row: TokenWithEmail): ApiToken {
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      scope: row.scope as Role,
      userId: row.user_id,
      userEmail: row.user_email,
      createdAt: iso(row.created_at),
      expiresAt: isoOrNull(row.expires_at),
      lastUsedAt: isoOrNull(row.last_used_at),
      revokedAt: isoOrNull(row.revoked_at),
    };
  },

  async recordFailure(exec: Executor, id: string, key: string, at: number): Promise<void> {
    await db(exec).insertInto('login_failures').values({ id, key, at }).execute();
  },
  async failuresSince(exec: Executor, key: string, since: number): Promise<{ count: number; oldest: number | null }> {
    const r = await db(exec)
      .selectFrom('login_failures')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('at').as('oldest')])
      .where('key', '=', key)
      .where('at', '>', since)
      .executeTakeFirst();
    return {
      count: Number(r?.n ?? 0),
      oldest: r?.oldest === null || r?.oldest === undefined ? null : Number(r.oldest),
    };
  },
  async clearFailures(exec: Executor, key: string): Promise<void> {
    await db(exec).deleteFrom('login_failures').where('key', '=', key).execute();
  },
  async pruneFailures(exec: Executor, before: number): Promise<void> {
    await db(exec).deleteFrom('login_failures').where('at', '<=', before).execute();
  },
};

export type { TokenWithEmail };
