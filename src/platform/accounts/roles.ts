import { z } from 'zod';

/** Roles in increasing order of power: each one can do everything the previous can. */
export const ROLES = ['viewer', 'responder', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

export function roleRank(role: Role | null | undefined): number {
  return role ? ROLES.indexOf(role) : -1;
}

export function atLeast(have: Role | null | undefined, need: Role): boolean {
  return roleRank(have) >= roleRank(need);
}

export function maxRole(a: Role | null | undefined, b: Role | null | undefined): Role | null {
  return roleRank(a) >= roleRank(b) ? (a ?? null) : (b ?? null);
}

export function minRole(a: Role | null | undefined, b: Role | null | undefined): Role | null {
  if (!a || !b) return null;
  return roleRank(a) <= roleRank(b) ? a : b;
}
