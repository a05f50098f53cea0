/** Shapes of the REST API (/api/v1), as the server documents them in /api/v1/openapi.json. */

export const ROLES = ['viewer', 'responder', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Query parameters every list endpoint accepts; `sort` is a field name, `-field` for descending. */
export interface PageQuery {
  limit: number;
  offset: number;
  sort?: string | undefined;
  q?: string | undefined;
}

export interface UserTeam {
  id: string;
  name: string;
  role: Role;
}

export interface User {
  id: string;
  email: string;
  name: string;
  timeZone: string;
  role: Role | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  teams: UserTeam[];
  labels?: Record<string, string>;
}

export interface Session {
  user: User;
  /** Null when the request was not made with a session cookie. */
  csrfToken: string | null;
}

export interface Team {
  id: string;
  name: string;
  displayName: string;
  description: string;
  memberCount: number;
  labels?: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface TeamMember {
  userId: string;
  email: string;
  name: string;
  role: Role;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scope: Role;
  userId: string;
  userEmail: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken {
  /** The plaintext token: returned once, never stored by the server. */
  token: string;
  apiToken: ApiToken;
}

export interface AuditActor {
  type: 'user' | 'system';
  id: string | null;
  name: string;
  via: 'session' | 'token' | 'password' | 'system';
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: AuditActor;
  action: string;
  resourceType: string;
  resourceId: string | null;
  resourceName: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}
