/** Row shapes of the accounts tables (Kysely). Only the accounts stores use them. */
export interface AccountsTables {
  users: {
    id: string;
    email: string;
    name: string;
    time_zone: string;
    role: string | null;
    disabled: number;
    password_hash: string | null;
    labels_json: string;
    created_at: number;
    updated_at: number;
    last_login_at: number | null;
  };
  teams: {
    id: string;
    name: string;
    display_name: string;
    description: string;
    labels_json: string;
    created_at: number;
    updated_at: number;
  };
  team_members: { team_id: string; user_id: string; role: string; created_at: number };
  sessions: {
    id: string;
    token_hash: string;
    user_id: string;
    csrf_token: string;
    created_at: number;
    last_seen_at: number;
    expires_at: number;
    ip: string | null;
    user_agent: string | null;
  };
  api_tokens: {
    id: string;
    user_id: string;
    name: string;
    prefix: string;
    token_hash: string;
    scope: string;
    created_at: number;
    expires_at: number | null;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  login_failures: { id: string; key: string; at: number };
}

export type UserRow = AccountsTables['users'];
export type TeamRow = AccountsTables['teams'];
export type TokenRow = AccountsTables['api_tokens'];
export type SessionRow = AccountsTables['sessions'];

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : iso(ms);
