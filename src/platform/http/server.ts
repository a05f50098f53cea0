import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '../accounts/principal.js';
import { ANONYMOUS, effectiveRole, highestRole } from '../accounts/principal.js';
import { atLeast } from '../accounts/roles.js';
import type { Actor } from '../audit/audit.model.js';
import { NotAllowedError, UnauthenticatedError } from '../errors.js';
import { newId } from '../ids.js';
import type { Metrics } from '../telemetry/metrics.js';
import { errorHandler } from './error-handler.js';
import { buildOpenApi } from './openapi.js';
import type { Access, AnyRoute } from './route.js';
import { timingSafeEqualStrings } from './timing.js';
import { parseOrThrow } from './validation.js';

export interface Authentication {
  principal: Principal;
  /** The session's CSRF token when the request came with a session cookie. */
  csrfToken: string | null;
}

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  routes: readonly AnyRoute[];
  authenticate(request: FastifyRequest): Promise<Authentication>;
  ready(): Promise<{ ok: boolean; checks: Record<string, string> }>;
  bodyLimit: number;
  trustProxy: boolean;
  version: string;
  webDir?: string | undefined;
  https?: { cert: Buffer; key: Buffer } | undefined;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function actorOf(principal: Principal, requestId: string | null): Actor {
  if (principal.kind === 'anonymous') return { type: 'system', id: null, name: 'anonymous', via: 'system', requestId };
  return {
    type: 'user',
    id: principal.userId,
    name: principal.email ?? principal.userId ?? 'user',
    via: principal.via === 'token' ? 'token' : 'session',
    requestId,
  };
}

/** Path parameters with these names are credentials (heartbeat and integration keys, feed and link tokens). */
const SECRET_PARAMS = /^(key|token)$/;

/**
 * Fastify's request line for logs, with credential path parameters replaced: `/ping/<key>` would
 * otherwise write every heartbeat key, and `/a/<token>` every signed link, to the log.
 */
function requestForLog(request: FastifyRequest) {
  let url = request.url;
  const pattern = request.routeOptions?.url;
  const params = (request.params ?? {}) as Record<string, string>;
  if (pattern && /:(key|token)\b/.test(pattern)) {
    const q = url.indexOf('?');
    url =
      pattern.replace(/:([A-Za-z]+)/g, (_m, name: string) =>
        SECRET_PARAMS.test(name) ? '[redacted]' : encodeURIComponent(params[name] ?? ''),
      ) + (q >= 0 ? url.slice(q) : '');
  }
  return {
    method: request.method,
    url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

function csrfMatches(request: FastifyRequest, csrfToken: string | null): boolean {
  const sent = request.headers['x-csrf-token'];
  return typeof sent === 'string' && csrfToken !== null && csrfToken !== '' && timingSafeEqualStrings(sent, csrfToken);
}

function checkAccess(access: Access, principal: Principal): void {
  if (access === 'public') return;
  if (principal.kind !== 'user') {
    throw new UnauthenticatedError('sign in or send an API token', {
      hint: 'use the session cookie from POST /api/v1/auth/login, or `Authorization: Bearer <token>`',
    });
  }
  if (access === 'authenticated') return;
  const need = typeof access === 'string' ? access : access.role;
  const granted = typeof access === 'string' ? effectiveRole(principal) : highestRole(principal);
  if (!atLeast(granted, need)) {
    throw new NotAllowedError(
      `this needs the ${need} role${typeof access === 'string' ? '' : ' (on a team or globally)'}`,
      {
        hint:
          principal.via === 'token' && !atLeast(principal.ceiling, need)
            ? `this API token's scope is ${principal.ceiling}`
            : 'ask an admin to grant the role',
      },
    );
  }
}

const REGISTERED = new WeakMap<FastifyInstance, readonly { method: string; url: string }[]>();

/**
 * Every method and path the server answers (HEAD aside): the declared routes, the HTTP layer's own
 * (health, metrics, OpenAPI, docs) and the web app's files. The authorization matrix test walks them,
 * so a route added outside `defineRoute` cannot slip past it.
 */
export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return REGISTERED.get(app) ?? [];
}

/** Builds the Fastify app: routes with zod validation, auth, errors, request ids, metrics, UI. */
export async function buildHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger.child({}, { serializers: { req: requestForLog } }),
    bodyLimit: opts.bodyLimit,
    trustProxy: opts.trustProxy,
    // Path parameters carry integration keys and Opsgenie aliases of up to 512 characters (the
    // router's default stops at 100 and answers 414 in Fastify's own shape). Under routerOptions:
    // the top-level option still works in Fastify 5 but prints a deprecation warning at every start.
    routerOptions: { maxParamLength: 1024 },
    // Bad percent-encoding and over-long parameters fail before routing: answer them in our shape.
    frameworkErrors: (err, request, reply) => errorHandler(err, request, reply),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    ...(opts.https ? { https: opts.https } : {}),
  }) as unknown as FastifyInstance;
  const table: { method: string; url: string }[] = [];
  REGISTERED.set(app, table);
  app.addHook('onRoute', (r) => {
    for (const method of ([] as string[]).concat(r.method)) if (method !== 'HEAD') table.push({ method, url: r.url });
  });

  await app.register(fastifyCookie);
  // Bodies of other types arrive as a Buffer (heartbeat logs are often text/plain or
  // application/octet-stream); routes with a JSON schema then answer 400 for them.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler(errorHandler);

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', CSP);
    if (opts.https) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    opts.metrics.httpDuration.labels(request.method, route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
  });

  for (const route of opts.routes) registerRoute(app, route, opts);

  const openapi = buildOpenApi(opts.routes, { version: opts.version });
  app.get('/api/v1/openapi.json', async () => openapi);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = await opts.ready();
    return reply.status(r.ok ? 200 : 503).send({ status: r.ok ? 'ready' : 'not ready', checks: r.checks });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(await opts.metrics.render()),
  );
  await registerDocs(app);
  await registerWeb(app, opts.webDir);
  return app;
}

function registerRoute(app: FastifyInstance, route: AnyRoute, opts: HttpServerOptions): void {
  app.route({
    method: route.method,
    url: route.url,
    ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
    ...(route.protocolError
      ? {
          errorHandler: (err: Error, request: FastifyRequest, reply: FastifyReply) => {
            const mapped = route.protocolError?.(err, String(request.id));
            if (!mapped) return errorHandler(err, request, reply);
            if (mapped.status >= 500) request.log.error({ err }, 'request failed');
            for (const [k, v] of Object.entries(mapped.headers ?? {})) void reply.header(k, v);
            void reply.status(mapped.status).send(mapped.body);
          },
        }
      : {}),
    handler: async (request, reply) => {
      const requestId = String(request.id);
      let { principal, csrfToken } = await opts.authenticate(request);
      if (principal.via === 'session' && WRITE_METHODS.has(route.method) && !csrfMatches(request, csrfToken)) {
        // A cookie never authorises a write without its CSRF token. Public writes (sign-in, intake, the
        // form behind a signed link, which cannot send a header) need no credentials: the cookie that a
        // browser sends along with them then counts for nothing, instead of refusing the request.
        if (route.access !== 'public') {
          throw new NotAllowedError('missing or wrong CSRF token', {
            hint: 'send the X-CSRF-Token header with the csrfToken from the login or session response',
          });
        }
        principal = ANONYMOUS;
        csrfToken = null;
      }
      checkAccess(route.access, principal);
      const params = route.params ? parseOrThrow(route.params, request.params, 'path parameters') : undefined;
      if (route.authorize) await route.authorize({ params, principal });
      const query = route.query ? parseOrThrow(route.query, request.query ?? {}, 'query parameters') : undefined;
      const body = route.body ? parseOrThrow(route.body, request.body, 'body') : undefined;
      const result = await route.handler({
        params,
        query,
        body,
        principal,
        csrfToken,
        actor: actorOf(principal, requestId),
        requestId,
        request,
        reply,
      });
      if (reply.sent) return reply;
      if (route.response === null) return reply.status(route.status ?? 204).send();
      const checked = route.response.safeParse(result);
      if (!checked.success) {
        request.log.error({ issues: checked.error.issues, route: route.url }, 'response failed its schema');
        throw new Error(`response of ${route.method} ${route.url} does not match its schema`);
      }
      return reply.status(route.status ?? 200).send(checked.data);
    },
  });
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  const require = createRequire(import.meta.url);
  const uiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  await app.register(fastifyStatic, {
    root: uiDir,
    prefix: '/api/v1/docs/assets/',
    decorateReply: false,
    index: false,
  });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mainstay API</title>
<link rel="stylesheet" href="/api/v1/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/api/v1/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/init.js"></script>
</body></html>`;
  const init = "window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui', deepLinking: true });\n";
  app.get('/api/v1/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get('/api/v1/docs/init.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(init));
}

async function registerWeb(app: FastifyInstance, webDir: string | undefined): Promise<void> {
  const index = webDir ? path.join(webDir, 'index.html') : undefined;
  const hasWeb = index !== undefined && fs.existsSync(index);
  if (hasWeb && webDir) {
    await app.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    const isApi = url.startsWith('/api/') || url.startsWith('/v2/') || url === '/metrics';
    if (!isApi && request.method === 'GET' && hasWeb) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${url}`,
        hint: isApi ? 'see /api/v1/openapi.json for the routes' : 'the web app is not built; run npm run build',
        requestId: String(request.id),
      },
    });
  });
}
