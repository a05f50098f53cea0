import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../http/pagination.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { SecretNameSchema, type SecretsService, SecretViewSchema } from './secrets.service.js';

const NameParams = z.object({ name: z.string().min(1).max(253) });
const Value = z
  .string()
  .min(1, 'must not be empty')
  .max(64 * 1024);

export function secretsRoutes(secrets: SecretsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/secrets',
      summary: 'List secrets (names and descriptions; never values)',
      tags: ['secrets'],
      access: { role: 'viewer', team: true },
      query: PageQuerySchema,
      response: pageSchema(SecretViewSchema),
      handler: ({ query }) => secrets.list(query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/secrets',
      summary: 'Create a secret; the value is encrypted at rest and never returned',
      tags: ['secrets'],
      access: 'editor',
      body: z.strictObject({ name: SecretNameSchema, value: Value, description: z.string().max(2000).optional() }),
      response: SecretViewSchema,
      status: 201,
      handler: ({ actor, body }) => secrets.create(actor, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/secrets/:name',
      summary: 'Get a secret (without its value)',
      tags: ['secrets'],
      access: { role: 'viewer', team: true },
      params: NameParams,
      response: SecretViewSchema,
      handler: ({ params }) => secrets.get(params.name),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/secrets/:name',
      summary: "Replace a secret's value or description",
      tags: ['secrets'],
      access: 'editor',
      params: NameParams,
      body: z.strictObject({ value: Value.optional(), description: z.string().max(2000).optional() }),
      response: SecretViewSchema,
      handler: ({ actor, params, body }) => secrets.update(actor, params.name, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/secrets/:name',
      summary: 'Delete a secret',
      tags: ['secrets'],
      access: 'editor',
      params: NameParams,
      response: null,
      handler: ({ actor, params }) => secrets.delete(actor, params.name),
    }),
  ];
}
