import { UsageError } from '../errors.js';

export const ROLES = ['viewer', 'responder', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function parseRole(value: string, flag = '--role'): Role {
  const role = value.toLowerCase();
  if ((ROLES as readonly string[]).includes(role)) return role as Role;
  throw new UsageError(`${flag} must be one of ${ROLES.join(', ')}, not ${JSON.stringify(value)}`);
}

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag} must be a whole number ≥ 1, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Collects a repeatable option (`-f a -f b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
