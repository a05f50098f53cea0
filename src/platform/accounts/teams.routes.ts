import { z } from 'zod';
import { type PageQuery, PageQuerySchema, pageSchema } from '../http/pagination.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { CreateTeamSchema, IdParams, TeamMemberSchema, TeamSchema, UpdateTeamSchema } from './accounts.model.js';
import { assertCan } from './principal.js';
import { RoleSchema } from './roles.js';
import type { TeamsService } from './teams.service.js';

const MemberParams = z.object({ id: z.string().min(1).max(64), userId: z.string().min(1).max(64) });

export function teamsRoutes(teams: TeamsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/teams',
      summary: 'List teams',
      tags: ['teams'],
      access: { role: 'viewer', team: true },
      query: PageQuerySchema,
      response: pageSchema(TeamSchema),
      handler: ({ query }) => teams.list(query.q, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/teams',
      summary: 'Create a team',
      tags: ['teams'],
      access: 'admin',
      body: CreateTeamSchema,
      response: TeamSchema,
      status: 201,
      handler: ({ actor, body }) => teams.create(actor, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/teams/:id',
      summary: 'Get a team',
      tags: ['teams'],
      access: { role: 'viewer', team: true },
      params: IdParams,
      response: TeamSchema,
      handler: ({ params }) => teams.get(params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/teams/:id',
      summary: 'Change a team (admins, or admins of the team)',
      tags: ['teams'],
      access: { role: 'admin', team: true },
      params: IdParams,
      body: UpdateTeamSchema,
      response: TeamSchema,
      async handler({ actor, principal, params, body }) {
        assertCan(principal, 'admin', params.id, 'change this team');
        return teams.update(actor, params.id, body);
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/teams/:id',
      summary: 'Delete a team',
      tags: ['teams'],
      access: 'admin',
      params: IdParams,
      response: null,
      handler: ({ actor, params }) => teams.delete(actor, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/teams/:id/members',
      summary: "List a team's members and their roles on it",
      tags: ['teams'],
      access: { role: 'viewer', team: true },
      params: IdParams,
      query: PageQuerySchema,
      response: pageSchema(TeamMemberSchema),
      handler: async ({ params, query }) => {
        await teams.get(params.id);
        return teams.members(params.id, query as PageQuery);
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/teams/:id/members/:userId',
      summary: 'Add a member or change their role on the team',
      tags: ['teams'],
      access: { role: 'admin', team: true },
      params: MemberParams,
      body: z.strictObject({ role: RoleSchema }),
      response: TeamMemberSchema,
      async handler({ actor, principal, params, body }) {
        assertCan(principal, 'admin', params.id, "change this team's members");
        return teams.setMember(actor, params.id, params.userId, body.role);
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/teams/:id/members/:userId',
      summary: 'Remove a member from the team',
      tags: ['teams'],
      access: { role: 'admin', team: true },
      params: MemberParams,
      response: null,
      async handler({ actor, principal, params }) {
        assertCan(principal, 'admin', params.id, "change this team's members");
        await teams.removeMember(actor, params.id, params.userId);
      },
    }),
  ];
}
