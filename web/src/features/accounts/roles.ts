import { ROLES, type Role } from '../../api/types';
import type { SelectOption, Tone } from '../../ui';

/** What each role may do, in one line, for hints next to role pickers. */
export const ROLE_HELP: Record<Role, string> = {
  viewer: 'read everything',
  responder: 'read everything, and acknowledge and resolve alerts and incidents',
  editor: 'do what a responder can, and create and change checks, schedules and other resources',
  admin: 'do everything, including managing users, teams and tokens',
};

export const ROLE_OPTIONS: SelectOption[] = ROLES.map((r) => ({ value: r, label: r }));

export const ROLE_TONE: Record<Role, Tone> = {
  viewer: 'neutral',
  responder: 'success',
  editor: 'warning',
  admin: 'info',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether a global role includes `min` (viewer < responder < editor < admin); the server decides in the end. */
export function roleAtLeast(role: Role | null | undefined, min: Role): boolean {
  return role ? ROLES.indexOf(role) >= ROLES.indexOf(min) : false;
}
