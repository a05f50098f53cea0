import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ANONYMOUS } from '../../accounts/principal.js';
import { ConflictError, RateLimitedError } from '../../errors.js';
import { Metrics } from '../../telemetry/metrics.js';
import { defineRoute } from '../route.js';
import { buildHttpServer } from '../server.js';

describe('HTTP layer', () => {
  let app: Awaited<ReturnType<typeof buildHttpServer>>;
  beforeAll(async () => {
    app = await buildHttpServer({
      logger: pino({ level: 'silent' }),
      metrics: new Metrics(),
      authenticate: async () => ({ principal: ANONYMOUS, csrfToken: null }),
      ready: async () => ({ ok: true, checks: {} }),
      bodyLimit: 1024,
      trustProxy: false,
      version: 'test',
      routes: [
        defineRoute({
          method: 'GET',
          url: '/api/v1/boom',
          summary: 'throws',
          tags: ['t'],
          access: 'public',
          response: z.object({}),
          handler: async () => {
            throw new Error('connection string postgres://user:hunter2@db');
          },
        }),
        defineRoute({
          method: 'GET',
          url: '/api/v1/wrong-shape',
          summary: 'returns a body that breaks its schema',
          tags: ['t'],
          access: 'public',
          response: z.object({ n: z.number() }),
          handler: async () => ({ n: 'not a number' }) as unknown as { n: number },
        }),
        defineRoute({
          method: 'GET',
          url: '/api/v1/strip',
          summary: 'fields outside the response schema never leave',
          tags: ['t'],
          access: 'public',
          response: z.object({ name: z.string() }),
          handler: async () => ({ name: 'x', passwordHash: 'scrypt$…' }),
        }),
        defineRoute({
          method: 'POST',
          url: '/api/v1/things/:id',
          summary: 'validates params, query and body',
          tags: ['t'],
          access: 'public',
          params: z.object({ id: z.string().regex(/^\d+$/) }),
          query: z.object({ n: z.coerce.number().int().max(10).optional() }),
          body: z.strictObject({ name: z.string(), nested: z.strictObject({ v: z.number() }) }),
          response: z.object({ ok: z.boolean() }),
          status: 201,
          handler: async () => ({ ok: true }),
        }),
        defineRoute({
          method: 'GET',
          url: '/api/v1/conflict',
          summary: 'domain error',
          tags: ['t'],
          access: 'public',
          response: null,
          handler: async () => {
            throw new ConflictError('already there', { hint: 'pick another name' });
          },
        }),
        defineRoute({
          method: 'GET',
          url: '/api/v1/limited',
          summary: 'rate limited',
          tags: ['t'],
          access: 'public',
          response: null,
          handler: async () => {
            throw new RateLimitedError('slow down', 12.2);
          },
        }),
        defineRoute({
          method: 'GET',
          url: '/api/v1/private',
          summary: 'needs a user',
          tags: ['t'],
          access: 'viewer',
          response: null,
          handler: async () => {},
        }),
      ],
    });
  });
  afterAll(() => app.close());

  it('an unknown error is a 500 with the request id and none of its message', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/boom' });
    expect(r.statusCode).toBe(500);
    expect(r.body).not.toContain('hunter2');
    expect(r.json().error).toEqual({
      code: 'internal',
      message: 'internal error',
      hint: expect.stringContaining(r.headers['x-request-id'] as string),
      requestId: r.headers['x-request-id'],
    });
  });

  it('a response that breaks its schema is a 500, and unknown fields are stripped', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/wrong-shape' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/api/v1/strip' })).json()).toEqual({ name: 'x' });
  });

  it('names every bad field: params, query, nested body and unknown keys', async () => {
    const p = await app.inject({ method: 'POST', url: '/api/v1/things/abc', payload: { name: 'x', nested: { v: 1 } } });
    expect(p.statusCode).toBe(400);
    expect(p.json().error.fields).toEqual([{ path: 'id', message: expect.any(String) }]);
    const q = await app.inject({
      method: 'POST',
      url: '/api/v1/things/1?n=99',
      payload: { name: 'x', nested: { v: 1 } },
    });
    expect(q.json().error.fields[0].path).toBe('n');
    const b = await app.inject({
      method: 'POST',
      url: '/api/v1/things/1',
      payload: { name: 1, nested: { v: 'x', extra: true } },
    });
    expect(
      b
        .json()
        .error.fields.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['name', 'nested', 'nested.v']);
    expect(b.json().error.fields.find((f: { path: string }) => f.path === 'nested').message).toContain('extra');
    const missing = await app.inject({ method: 'POST', url: '/api/v1/things/1' });
    expect(missing.statusCode).toBe(400);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/things/1?n=3',
      payload: { name: 'x', nested: { v: 1 } },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('domain errors keep their code and hint; rate limits send Retry-After', async () => {
    const c = await app.inject({ method: 'GET', url: '/api/v1/conflict' });
    expect(c.statusCode).toBe(409);
    expect(c.json().error).toMatchObject({ code: 'conflict', message: 'already there', hint: 'pick another name' });
    const l = await app.inject({ method: 'GET', url: '/api/v1/limited' });
    expect(l.statusCode).toBe(429);
    expect(l.headers['retry-after']).toBe('13');
  });

  it('oversize bodies are 413, unknown API routes a JSON 404, anonymous callers 401', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/api/v1/things/1',
      payload: { name: 'x'.repeat(4000), nested: { v: 1 } },
    });
    expect(big.statusCode).toBe(413);
    const nf = await app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('not_found');
    expect((await app.inject({ method: 'GET', url: '/api/v1/private' })).statusCode).toBe(401);
  });

  it('sets a request id and security headers on every response', async () => {
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    expect(r.headers['x-request-id']).toBeTruthy();
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const given = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const evil = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': '<script>' } });
    expect(evil.headers['x-request-id']).not.toBe('<script>');
  });
});
