import { z } from 'zod';

/** Who did something, as the audit log records it. */
export interface Actor {
  type: 'user' | 'system';
  id: string | null;
  name: string;
  /** How the user authenticated: session cookie, API token, password (token exchange) or none (system). */
  via: 'session' | 'token' | 'password' | 'system';
  requestId: string | null;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({
  type: 'system',
  id: null,
  name: 'system',
  via: 'system',
  requestId: null,
});

export interface AuditRecord {
  action: string;
  resourceType: string;
  resourceId: string | null;
  resourceName?: string | null;
  /** The resource as the API shows it (no secrets) before and after the change. */
  before?: unknown;
  after?: unknown;
}

export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: z.object({
    type: z.enum(['user', 'system']),
    id: z.string().nullable(),
    name: z.string(),
    via: z.enum(['session', 'token', 'password', 'system']),
  }),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  resourceName: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  requestId: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
