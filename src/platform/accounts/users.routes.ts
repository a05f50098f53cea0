import { type PageQuery, PageQuerySchema, pageSchema } from '../http/pagination.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { CreateUserSchema, IdParams, SetPasswordSchema, UpdateUserSchema, UserSchema } from './accounts.model.js';
import { RoleSchema } from './roles.js';
import type { UsersService } from './users.service.js';

const UserListQuery = PageQuerySchema.extend({ role: RoleSchema.optional() });

export function usersRoutes(users: UsersService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/users',
      summary: 'List users',
      tags: ['users'],
      access: { role: 'viewer', team: true },
      query: UserListQuery,
      response: pageSchema(UserSchema),
      handler: ({ query }) => users.list({ q: query.q, role: query.role }, query as PageQuery),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/users',
      summary: 'Create a user',
      tags: ['users'],
      access: 'admin',
      body: CreateUserSchema,
      response: UserSchema,
      status: 201,
      handler: ({ actor, body }) => users.create(actor, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/users/:id',
      summary: 'Get a user',
      tags: ['users'],
      access: { role: 'viewer', team: true },
      params: IdParams,
      response: UserSchema,
      handler: ({ params }) => users.get(params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/users/:id',
      summary: 'Change a user (name, time zone, global role, disabled)',
      tags: ['users'],
      access: 'admin',
      params: IdParams,
      body: UpdateUserSchema,
      response: UserSchema,
      handler: ({ actor, params, body }) => users.update(actor, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/users/:id',
      summary: 'Delete a user',
      tags: ['users'],
      access: 'admin',
      params: IdParams,
      response: null,
      handler: ({ actor, params }) => users.delete(actor, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/users/:id/password',
      summary: "Reset a user's password (admin); ends their sessions",
      tags: ['users'],
      access: 'admin',
      params: IdParams,
      body: SetPasswordSchema,
      response: null,
      handler: ({ actor, params, body }) => users.setPassword(actor, params.id, body.password),
    }),
  ];
}
