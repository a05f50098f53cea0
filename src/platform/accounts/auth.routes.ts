import type { FastifyReply, FastifyRequest } from 'fastify';
import { InputError, UnauthenticatedError } from '../errors.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import {
  ChangePasswordSchema,
  CreatedTokenSchema,
  LoginSchema,
  PasswordTokenSchema,
  SessionSchema,
  UpdateMeSchema,
  UserSchema,
} from './accounts.model.js';
import { type AuthService, CSRF_COOKIE, SESSION_COOKIE } from './auth.service.js';
import type { UsersService } from './users.service.js';

function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  session: string,
  csrf: string,
  maxAgeSec: number,
): void {
  const secure = request.protocol === 'https';
  const base = { path: '/', sameSite: 'lax' as const, secure, maxAge: maxAgeSec };
  void reply.setCookie(SESSION_COOKIE, session, { ...base, httpOnly: true });
  // Readable by the web app, which echoes it in X-CSRF-Token (double submit).
  void reply.setCookie(CSRF_COOKIE, csrf, { ...base, httpOnly: false });
}

function clearSessionCookies(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
  void reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

export function authRoutes(auth: AuthService, users: UsersService): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/login',
      summary: 'Sign in with email and password; sets the session cookie',
      tags: ['auth'],
      access: 'public',
      body: LoginSchema,
      response: SessionSchema,
      async handler({ body, request, reply, requestId }) {
        const r = await auth.login(body.email, body.password, {
          ip: request.ip,
          userAgent: request.headers['user-agent'],
          requestId,
        });
        setSessionCookies(request, reply, r.sessionToken, r.csrfToken, Math.floor(auth.sessionTtlMs / 1000));
        return { user: r.user, csrfToken: r.csrfToken };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/logout',
      summary: 'End the current session',
      tags: ['auth'],
      access: 'authenticated',
      response: null,
      async handler({ principal, actor, reply }) {
        await auth.logout(principal, actor);
        clearSessionCookies(reply);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/session',
      summary: 'The signed-in user and the CSRF token for cookie-authenticated writes (null for API tokens)',
      tags: ['auth'],
      access: 'authenticated',
      response: SessionSchema,
      async handler({ principal, csrfToken }) {
        return { user: await users.get(principal.userId!), csrfToken: principal.via === 'session' ? csrfToken : null };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/token',
      summary: 'Exchange email and password for a new API token (used by `mainstay login`)',
      tags: ['auth'],
      access: 'public',
      body: PasswordTokenSchema,
      response: CreatedTokenSchema,
      status: 201,
      async handler({ body, request, requestId }) {
        return auth.tokenForPassword(body, { ip: request.ip, requestId });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/me',
      summary: 'The signed-in user',
      tags: ['auth'],
      access: 'authenticated',
      response: UserSchema,
      handler: ({ principal }) => users.get(principal.userId!),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/me',
      summary: 'Change your name or time zone',
      tags: ['auth'],
      access: 'authenticated',
      body: UpdateMeSchema,
      response: UserSchema,
      handler: ({ principal, actor, body }) => users.update(actor, principal.userId!, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/me/password',
      summary: 'Change your password (ends all your sessions)',
      tags: ['auth'],
      access: 'authenticated',
      body: ChangePasswordSchema,
      response: null,
      async handler({ principal, actor, body, request, reply }) {
        await auth.verifyCredentials(principal.email!, body.currentPassword, request.ip).catch((err) => {
          if (err instanceof UnauthenticatedError) {
            throw new InputError('the current password is wrong', {
              fields: [{ path: 'currentPassword', message: 'wrong password' }],
            });
          }
          throw err;
        });
        await users.setPassword(actor, principal.userId!, body.newPassword);
        clearSessionCookies(reply);
      },
    }),
  ];
}
