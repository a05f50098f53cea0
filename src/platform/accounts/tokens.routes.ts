import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../http/pagination.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { ApiTokenSchema, CreatedTokenSchema, CreateTokenSchema, IdParams } from './accounts.model.js';
import type { AuthService } from './auth.service.js';

const TokensQuery = PageQuerySchema.extend({
  all: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe("admins: true lists everyone's tokens"),
});

export function tokensRoutes(auth: AuthService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/tokens',
      summary: 'List your API tokens (admins: everyone’s with all=true)',
      tags: ['tokens'],
      access: 'authenticated',
      query: TokensQuery,
      response: pageSchema(ApiTokenSchema),
      handler: ({ principal, query }) => auth.listTokens(principal, query.all, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/tokens',
      summary: 'Create an API token; the token is in this response only',
      tags: ['tokens'],
      access: 'authenticated',
      body: CreateTokenSchema,
      response: CreatedTokenSchema,
      status: 201,
      handler: ({ actor, principal, body }) => auth.createToken(actor, principal, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/tokens/:id',
      summary: 'Revoke an API token (yours, or any as admin)',
      tags: ['tokens'],
      access: 'authenticated',
      params: IdParams,
      response: null,
      handler: ({ actor, principal, params }) => auth.revokeToken(actor, principal, params.id),
    }),
  ];
}
