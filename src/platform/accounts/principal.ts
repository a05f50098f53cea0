import { NotAllowedError } from '../errors.js';
import { atLeast, maxRole, minRole, type Role } from './roles.js';

/** Who is making a request, and what they may do. Built once per request by the authenticator. */
export interface Principal {
  readonly kind: 'user' | 'anonymous';
  readonly userId: string | null;
  readonly email: string | null;
  readonly name: string | null;
  readonly via: 'session' | 'token' | 'none';
  readonly sessionId: string | null;
  readonly tokenId: string | null;
  /** Role granted on everything. */
  readonly globalRole: Role | null;
  /** Roles granted per team id. */
  readonly teamRoles: ReadonlyMap<string, Role>;
  /** An API token's scope caps every role above; null for sessions. */
  readonly ceiling: Role | null;
}

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  userId: null,
  email: null,
  name: null,
  via: 'none',
  sessionId: null,
  tokenId: null,
  globalRole: null,
  teamRoles: new Map(),
  ceiling: null,
});

function capped(p: Principal, role: Role | null): Role | null {
  return p.via === 'token' ? minRole(role, p.ceiling) : role;
}

/** The role `p` holds on a resource owned by `teamId` (or on global resources when undefined). */
export function effectiveRole(p: Principal, teamId?: string | null): Role | null {
  const team = teamId ? (p.teamRoles.get(teamId) ?? null) : null;
  return capped(p, maxRole(p.globalRole, team));
}

/** The highest role `p` holds anywhere: globally or in any team. */
export function highestRole(p: Principal): Role | null {
  let best = p.globalRole;
  for (const r of p.teamRoles.values()) best = maxRole(best, r);
  return capped(p, best);
}

export function can(p: Principal, role: Role, teamId?: string | null): boolean {
  return p.kind === 'user' && atLeast(effectiveRole(p, teamId), role);
}

export function assertCan(p: Principal, role: Role, teamId?: string | null, what = 'do this'): void {
  if (!can(p, role, teamId)) {
    throw new NotAllowedError(`you need the ${role} role${teamId ? ' on this team' : ''} to ${what}`, {
      hint: 'ask an admin to grant the role, or use a token whose scope allows it',
    });
  }
}
