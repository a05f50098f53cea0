import { api } from './client';
import type {
  ApiToken,
  AuditEntry,
  CreatedToken,
  Page,
  PageQuery,
  Role,
  Session,
  Team,
  TeamMember,
  User,
} from './types';

/** Endpoints of the platform module: sessions, profile, users, teams, API tokens, audit log. */

const enc = encodeURIComponent;

export const auth = {
  session: (signal?: AbortSignal) => api.get<Session>('/api/v1/auth/session', undefined, signal),
  login: (email: string, password: string) => api.post<Session>('/api/v1/auth/login', { email, password }),
  logout: () => api.post<void>('/api/v1/auth/logout'),
};

export const me = {
  get: () => api.get<User>('/api/v1/me'),
  update: (patch: { name?: string; timeZone?: string }) => api.patch<User>('/api/v1/me', patch),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<void>('/api/v1/me/password', { currentPassword, newPassword }),
};

export interface NewUser {
  email: string;
  name: string;
  timeZone?: string | undefined;
  role?: Role | null | undefined;
  password?: string | undefined;
}

export interface UserPatch {
  name?: string;
  timeZone?: string;
  role?: Role | null;
  disabled?: boolean;
}

export const users = {
  list: (q: PageQuery & { role?: Role | undefined }, signal?: AbortSignal) =>
    api.get<Page<User>>('/api/v1/users', { ...q }, signal),
  get: (id: string) => api.get<User>(`/api/v1/users/${enc(id)}`),
  create: (body: NewUser) => api.post<User>('/api/v1/users', body),
  update: (id: string, patch: UserPatch) => api.patch<User>(`/api/v1/users/${enc(id)}`, patch),
  remove: (id: string) => api.delete(`/api/v1/users/${enc(id)}`),
  setPassword: (id: string, password: string) => api.post<void>(`/api/v1/users/${enc(id)}/password`, { password }),
};

export const teams = {
  list: (q: PageQuery, signal?: AbortSignal) => api.get<Page<Team>>('/api/v1/teams', { ...q }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Team>(`/api/v1/teams/${enc(id)}`, undefined, signal),
  create: (body: { name: string; displayName?: string; description?: string }) => api.post<Team>('/api/v1/teams', body),
  update: (id: string, patch: { displayName?: string; description?: string }) =>
    api.patch<Team>(`/api/v1/teams/${enc(id)}`, patch),
  remove: (id: string) => api.delete(`/api/v1/teams/${enc(id)}`),
  members: (id: string, q: PageQuery, signal?: AbortSignal) =>
    api.get<Page<TeamMember>>(`/api/v1/teams/${enc(id)}/members`, { ...q }, signal),
  setMember: (id: string, userId: string, role: Role) =>
    api.put<TeamMember>(`/api/v1/teams/${enc(id)}/members/${enc(userId)}`, { role }),
  removeMember: (id: string, userId: string) => api.delete(`/api/v1/teams/${enc(id)}/members/${enc(userId)}`),
};

export const tokens = {
  list: (q: PageQuery & { all?: boolean | undefined }, signal?: AbortSignal) =>
    api.get<Page<ApiToken>>('/api/v1/tokens', { ...q, all: q.all ? 'true' : undefined }, signal),
  create: (body: { name: string; scope: Role; expiresInDays?: number | undefined }) =>
    api.post<CreatedToken>('/api/v1/tokens', body),
  revoke: (id: string) => api.delete(`/api/v1/tokens/${enc(id)}`),
};

export interface AuditQuery extends PageQuery {
  action?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  actorId?: string | undefined;
}

export const audit = {
  list: (q: AuditQuery, signal?: AbortSignal) => api.get<Page<AuditEntry>>('/api/v1/audit', { ...q }, signal),
};
