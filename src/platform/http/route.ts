import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from '../accounts/principal.js';
import type { Role } from '../accounts/roles.js';
import type { Actor } from '../audit/audit.model.js';

/**
 * Who may call a route, checked before the handler runs:
 * - `public`: anyone, no credentials (health, login, intake with its own key);
 * - `authenticated`: any signed-in user, whatever their roles (their own profile and tokens);
 * - a role: that role or higher, granted globally;
 * - `{ role, team: true }`: that role globally or in at least one team; the handler
 *   then checks the role on the team that owns the resource.
 */
export type Access = 'public' | 'authenticated' | Role | { role: Role; team: true };

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** The session's CSRF token when the request came with a session cookie. */
  csrfToken: string | null;
  /** The principal as recorded in audit entries, with this request's id. */
  actor: Actor;
  requestId: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify path, e.g. `/api/v1/users/:id`. */
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Schema of the success body; `null` for an empty 204. */
  response: z.ZodType<R> | null;
  /** Success status, 200 by default (204 when `response` is null). */
  status?: number;
  /** Largest accepted body in bytes, when it differs from the server-wide limit. */
  bodyLimit?: number;
  /**
   * For routes that speak another product's protocol (PagerDuty Events v2, Opsgenie…): maps every
   * error of the route (bad JSON, body too large, thrown domain errors) to that protocol's error
   * status and body instead of Mainstay's `{error: {…}}`.
   */
  protocolError?: (
    err: Error & { statusCode?: number; code?: string },
    requestId: string,
  ) => {
    status: number;
    body: unknown;
    headers?: Record<string, string>;
  };
  /**
   * A check that depends on the path (whose resource is this?), run after `access` and before the
   * body is validated, so a caller who may not touch the resource learns nothing from a 400.
   */
  authorize?(ctx: { params: P; principal: Principal }): Promise<void> | void;
  handler(ctx: RouteContext<P, Q, B>): Promise<R>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes
export type AnyRoute = RouteSpec<any, any, any, any>;

/** Declares a route; the generics are inferred from the schemas. */
export function defineRoute<P = undefined, Q = undefined, B = undefined, R = unknown>(
  spec: RouteSpec<P, Q, B, R>,
): RouteSpec<P, Q, B, R> {
  return spec;
}
