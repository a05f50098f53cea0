import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import type { CheckService } from './check.service.js';
import type { HeartbeatMonitor, PingInput, PingType } from './heartbeat.monitor.js';

const KeyParams = z.object({ key: z.string().max(200) });
const CodeParams = KeyParams.extend({ code: z.string().max(10) });

function bodyText(request: FastifyRequest): string | null {
  const b = request.body;
  if (b === undefined || b === null || b === '') return null;
  if (typeof b === 'string') return b;
  if (Buffer.isBuffer(b)) return b.toString('utf8');
  return JSON.stringify(b);
}

/** Unknown and malformed keys get the same bare 404: nothing tells them apart. */
function notFound(reply: FastifyReply) {
  return reply.status(404).type('text/plain; charset=utf-8').send('not found\n');
}

/**
 * Heartbeat pings in the healthchecks.io style: `/ping/<key>` (success),
 * `/ping/<key>/start`, `/ping/<key>/fail`, `/ping/<key>/<exit code 0-255>`, by GET
 * or POST (HEAD too); a POSTed body is kept, bounded, as the run's log. The answer
 * comes after the ping and its result are committed.
 */
export function heartbeatRoutes(checks: CheckService, heartbeats: HeartbeatMonitor): AnyRoute[] {
  const handle = async (
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    type: PingType,
    exitCode: number | null,
  ) => {
    const c = await checks.byPingKey(key);
    if (!c) return notFound(reply);
    const input: PingInput = {
      type,
      exitCode,
      body: request.method === 'POST' ? bodyText(request) : null,
      sourceIp: request.ip,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
    };
    await heartbeats.ping(c, input);
    return reply.status(200).type('text/plain; charset=utf-8').send('OK\n');
  };
  const routes: AnyRoute[] = [];
  for (const method of ['GET', 'POST'] as const) {
    const common = { method, tags: ['heartbeats'], access: 'public' as const, response: null, bodyLimit: 1024 * 1024 };
    routes.push(
      defineRoute({
        ...common,
        url: '/ping/:key',
        summary: 'Heartbeat: the job succeeded',
        params: KeyParams,
        handler: async ({ request, reply, params }) => {
          await handle(request, reply, params.key, 'success', null);
        },
      }),
      defineRoute({
        ...common,
        url: '/ping/:key/start',
        summary: 'Heartbeat: the job started (its duration is measured to the next success)',
        params: KeyParams,
        handler: async ({ request, reply, params }) => {
          await handle(request, reply, params.key, 'start', null);
        },
      }),
      defineRoute({
        ...common,
        url: '/ping/:key/fail',
        summary: 'Heartbeat: the job failed',
        params: KeyParams,
        handler: async ({ request, reply, params }) => {
          await handle(request, reply, params.key, 'fail', null);
        },
      }),
      defineRoute({
        ...common,
        url: '/ping/:key/:code',
        summary: 'Heartbeat: the job exited with this code (0 is success)',
        params: CodeParams,
        handler: async ({ request, reply, params }) => {
          const code = /^\d{1,3}$/.test(params.code) ? Number(params.code) : Number.NaN;
          if (!(code >= 0 && code <= 255)) return void notFound(reply);
          await handle(request, reply, params.key, 'exit', code);
        },
      }),
    );
  }
  return routes;
}
