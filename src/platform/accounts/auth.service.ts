import type { FastifyRequest } from 'fastify';
import type { Actor } from '../audit/audit.model.js';
import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
} from '../errors.js';
import type { Page, PageQuery } from '../http/pagination.js';
import type { Authentication } from '../http/server.js';
import { newId, randomSecret } from '../ids.js';
import type { ApiToken, CreateToken, User } from './accounts.model.js';
import { type CredentialHolder, credentialsStore, hashToken } from './credentials.store.js';
import { dummyHash, verifyPassword } from './passwords.js';
import { ANONYMOUS, can, highestRole, type Principal } from './principal.js';
import { atLeast, type Role } from './roles.js';
import { teamsStore } from './teams.store.js';
import { usersStore } from './users.store.js';

export const SESSION_COOKIE = 'mainstay_session';
export const CSRF_COOKIE = 'mainstay_csrf';
const TOKEN_PREFIX = 'mst_';
/** Failed logins allowed per window, per email and per client address. */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perEmail: 10, perIp: 50 } as const;
/** Writes of last-seen/last-used times are coalesced to one per minute. */
const TOUCH_EVERY_MS = 60_000;

export interface AuthOptions {
  sessionTtlMs: number;
}

export interface LoginResult {
  user: User;
  sessionToken: string;
  csrfToken: string;
  expiresAt: number;
}

/** Sign-in, sessions, API tokens and turning a request's credentials into a Principal. */
export class AuthService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
    private readonly options: AuthOptions,
  ) {}

  get sessionTtlMs(): number {
    return this.options.sessionTtlMs;
  }

  /** Checks email and password under the login rate limit. Unknown emails cost the same as wrong passwords. */
  async verifyCredentials(email: string, password: string, ip: string): Promise<User> {
    const db = this.database.db;
    const now = this.clock.now();
    const since = now - LOGIN_LIMITS.windowMs;
    for (const [key, limit] of [
      [`email:${email.toLowerCase()}`, LOGIN_LIMITS.perEmail],
      [`ip:${ip}`, LOGIN_LIMITS.perIp],
    ] as const) {
      const f = await credentialsStore.failuresSince(db, key, since);
      if (f.count >= limit) {
        const retry = ((f.oldest ?? now) + LOGIN_LIMITS.windowMs - now) / 1000;
        throw new RateLimitedError('too many failed sign-in attempts', retry, {
          hint: 'wait and try again, or ask an admin to reset the password',
        });
      }
    }
    const row = await usersStore.byEmail(db, email);
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    if (!row || !ok || !row.password_hash || row.disabled === 1) {
      await this.database.transaction(async (trx) => {
        await credentialsStore.recordFailure(trx, newId(now), `email:${email.toLowerCase()}`, now);
        await credentialsStore.recordFailure(trx, newId(now), `ip:${ip}`, now);
        await credentialsStore.pruneFailures(trx, now - LOGIN_LIMITS.windowMs * 4);
      });
      throw new UnauthenticatedError('wrong email or password', {
        hint: 'check both; accounts lock for 15 minutes after 10 failures',
      });
    }
    await credentialsStore.clearFailures(db, `email:${email.toLowerCase()}`);
    return (await usersStore.toApiMany(db, [row]))[0] as User;
  }

  /** Password sign-in: a new session (never reusing one the client sent, against fixation). */
  async login(
    email: string,
    password: string,
    meta: { ip: string; userAgent: string | undefined; requestId: string },
  ): Promise<LoginResult> {
    const user = await this.verifyCredentials(email, password, meta.ip);
    const now = this.clock.now();
    const sessionToken = randomSecret(32);
    const csrfToken = randomSecret(24);
    const expiresAt = now + this.options.sessionTtlMs;
    await this.database.transaction(async (trx) => {
      await credentialsStore.insertSession(trx, {
        id: newId(now),
        token_hash: hashToken(sessionToken),
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        ip: meta.ip,
        user_agent: meta.userAgent?.slice(0, 300) ?? null,
      });
      await usersStore.update(trx, user.id, { last_login_at: now });
      await credentialsStore.deleteExpiredSessions(trx, now);
      await this.audit.record(trx, actorFor(user, 'session', meta.requestId), {
        action: 'auth.login',
        resourceType: 'user',
        resourceId: user.id,
        resourceName: user.email,
      });
    });
    return { user: { ...user, lastLoginAt: new Date(now).toISOString() }, sessionToken, csrfToken, expiresAt };
  }

  async logout(principal: Principal, actor: Actor): Promise<void> {
    if (!principal.sessionId) return;
    const sessionId = principal.sessionId;
    await this.database.transaction(async (trx) => {
      await credentialsStore.deleteSession(trx, sessionId);
      await this.audit.record(trx, actor, {
        action: 'auth.logout',
        resourceType: 'user',
        resourceId: principal.userId,
        resourceName: principal.email,
      });
    });
  }

  /** Resolves the request's bearer token or session cookie. Bad or expired credentials give ANONYMOUS. */
  async authenticate(request: FastifyRequest): Promise<Authentication> {
    const header = request.headers.authorization;
    if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
      return {
        principal: (await this.fromToken(header.replace(/^bearer\s+/i, '').trim())) ?? ANONYMOUS,
        csrfToken: null,
      };
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (cookie) {
      const r = await this.fromSession(cookie);
      if (r) return r;
    }
    return { principal: ANONYMOUS, csrfToken: null };
  }

  private async principalFor(
    userId: string,
    via: 'session' | 'token',
    ids: { sessionId?: string; tokenId?: string; ceiling?: Role },
  ): Promise<Principal | null> {
    const db = this.database.db;
    const user = await usersStore.byId(db, userId);
    if (!user || user.disabled === 1) return null;
    return {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      via,
      sessionId: ids.sessionId ?? null,
      tokenId: ids.tokenId ?? null,
      globalRole: (user.role as Role | null) ?? null,
      teamRoles: await teamsStore.rolesOf(db, user.id),
      ceiling: ids.ceiling ?? null,
    };
  }

  /** The principal of a credential's holder, or null when the user is disabled. */
  private principalOf(
    h: CredentialHolder<unknown>,
    via: 'session' | 'token',
    ids: { sessionId?: string; tokenId?: string; ceiling?: Role },
  ): Principal | null {
    if (h.user.disabled === 1) return null;
    return {
      kind: 'user',
      userId: h.user.id,
      email: h.user.email,
      name: h.user.name,
      via,
      sessionId: ids.sessionId ?? null,
      tokenId: ids.tokenId ?? null,
      globalRole: (h.user.role as Role | null) ?? null,
      teamRoles: h.teamRoles,
      ceiling: ids.ceiling ?? null,
    };
  }

  private async fromToken(token: string): Promise<Principal | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const db = this.database.db;
    const h = await credentialsStore.tokenHolder(db, hashToken(token));
    const now = this.clock.now();
    const row = h?.credential;
    if (!h || !row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_EVERY_MS)
      await credentialsStore.touchToken(db, row.id, now);
    return this.principalOf(h, 'token', { tokenId: row.id, ceiling: row.scope as Role });
  }

  private async fromSession(cookie: string): Promise<Authentication | null> {
    if (cookie.length > 200) return null;
    const db = this.database.db;
    const h = await credentialsStore.sessionHolder(db, hashToken(cookie));
    const now = this.clock.now();
    const row = h?.credential;
    if (!h || !row) return null;
    if (row.expires_at <= now) {
      await credentialsStore.deleteSession(db, row.id);
      return null;
    }
    if (now - row.last_seen_at > TOUCH_EVERY_MS)
      await credentialsStore.touchSession(db, row.id, now, now + this.options.sessionTtlMs);
    const principal = this.principalOf(h, 'session', { sessionId: row.id });
    return principal ? { principal, csrfToken: row.csrf_token } : null;
  }

  /** Creates an API token for `userId`; the plaintext is returned here once and never stored. */
  async createToken(
    actor: Actor,
    owner: Principal | User,
    input: CreateToken,
  ): Promise<{ token: string; apiToken: ApiToken }> {
    const ownerRole = 'kind' in owner ? highestRole(owner) : await this.highestRoleOf(owner.id);
    if (!atLeast(ownerRole, input.scope)) {
      throw new InputError(
        `you cannot create a token with scope ${input.scope}: your highest role is ${ownerRole ?? 'none'}`,
        {
          fields: [{ path: 'scope', message: `must be at most ${ownerRole ?? 'viewer'}` }],
        },
      );
    }
    const ownerId = ('kind' in owner ? owner.userId : owner.id) as string;
    const now = this.clock.now();
    const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
    const id = newId(now);
    return this.database.transaction(async (trx) => {
      await credentialsStore.insertToken(trx, {
        id,
        user_id: ownerId,
        name: input.name,
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        token_hash: hashToken(token),
        scope: input.scope,
        created_at: now,
        expires_at: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
        last_used_at: null,
        revoked_at: null,
      });
      const row = await credentialsStore.tokenById(trx, id);
      const apiToken = credentialsStore.tokenToApi(row!);
      await this.audit.record(trx, actor, {
        action: 'token.create',
        resourceType: 'api_token',
        resourceId: id,
        resourceName: input.name,
        after: apiToken,
      });
      return { token, apiToken };
    });
  }

  /** Password grant for the CLI's `mainstay login`: checks the password, returns a new token. */
  async tokenForPassword(
    input: {
      email: string;
      password: string;
      name: string;
      scope?: Role | undefined;
      expiresInDays?: number | undefined;
    },
    meta: { ip: string; requestId: string },
  ): Promise<{ token: string; apiToken: ApiToken }> {
    const user = await this.verifyCredentials(input.email, input.password, meta.ip);
    const scope = input.scope ?? (await this.highestRoleOf(user.id)) ?? 'viewer';
    return this.createToken(actorFor(user, 'password', meta.requestId), user, {
      name: input.name,
      scope,
      expiresInDays: input.expiresInDays,
    });
  }

  listTokens(principal: Principal, all: boolean, page: PageQuery): Promise<Page<ApiToken>> {
    if (all && !can(principal, 'admin')) {
      throw new NotAllowedError("only admins can list everyone's tokens");
    }
    return credentialsStore.listTokens(this.database.db, all ? null : principal.userId, page);
  }

  async revokeToken(actor: Actor, principal: Principal, id: string): Promise<void> {
    await this.database.transaction(async (trx) => {
      const row = await credentialsStore.tokenById(trx, id);
      const isAdmin = can(principal, 'admin');
      if (!row || (row.user_id !== principal.userId && !isAdmin)) throw new NotFoundError(`no token with id ${id}`);
      if (row.revoked_at !== null)
        throw new ConflictError('this token is already revoked', { code: 'already_revoked' });
      const before = credentialsStore.tokenToApi(row);
      await credentialsStore.revokeToken(trx, id, this.clock.now());
      const after = credentialsStore.tokenToApi((await credentialsStore.tokenById(trx, id))!);
      await this.audit.record(trx, actor, {
        action: 'token.revoke',
        resourceType: 'api_token',
        resourceId: id,
        resourceName: row.name,
        before,
        after,
      });
    });
  }

  private async highestRoleOf(userId: string): Promise<Role | null> {
    const p = await this.principalFor(userId, 'session', {});
    return p ? highestRole(p) : null;
  }
}

function actorFor(user: User, via: Actor['via'], requestId: string): Actor {
  return { type: 'user', id: user.id, name: user.email, via, requestId };
}
