import type { Command } from 'commander';
import type { ApiToken } from '../../platform/accounts/accounts.model.js';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { type Column, formatJson, formatTable, formatYamlDocuments, parseFormat, shortTime } from '../output.js';
import { parsePositiveInt, parseRole } from './shared.js';

function status(t: ApiToken, now: number): string {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

function columns(all: boolean, now: number): Column<ApiToken>[] {
  return [
    { header: 'id', value: (t) => t.id },
    { header: 'name', value: (t) => t.name },
    { header: 'prefix', value: (t) => t.prefix },
    { header: 'scope', value: (t) => t.scope },
    ...(all ? [{ header: 'user', value: (t: ApiToken) => t.userEmail }] : []),
    { header: 'created', value: (t) => shortTime(t.createdAt) },
    { header: 'expires', value: (t) => shortTime(t.expiresAt) ?? 'never' },
    { header: 'last used', value: (t) => shortTime(t.lastUsedAt) },
    { header: 'status', value: (t) => status(t, now) },
  ];
}

export function registerTokens(program: Command, ctx: CliContext): void {
  const tokens = program.command('tokens').description('manage API tokens');

  tokens
    .command('ls')
    .description('list your API tokens')
    .option('--all', "every user's tokens (admin)")
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: { all?: boolean; output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const list = await ctx.client(cmd).list<ApiToken>('/api/v1/tokens', opts.all ? { all: true } : {});
      if (format === 'json') return ctx.write(formatJson(list));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(list));
      if (list.length === 0) return ctx.note('no tokens found');
      ctx.write(formatTable(list, columns(Boolean(opts.all), Date.now())));
    });

  tokens
    .command('create')
    .description('create an API token; prints it once')
    .argument('<name>', 'what the token is for, e.g. ci-deploy')
    .option('--scope <role>', 'the most the token may do: viewer, responder, editor, admin (server default: viewer)')
    .option('--expires-in-days <n>', 'let the token expire after N days')
    .action(async (name: string, opts: { scope?: string; expiresInDays?: string }, cmd: Command) => {
      const scope = opts.scope === undefined ? undefined : parseRole(opts.scope, '--scope');
      const expiresInDays =
        opts.expiresInDays === undefined ? undefined : parsePositiveInt(opts.expiresInDays, '--expires-in-days');
      const created = await ctx.client(cmd).post<{ token: string; apiToken: ApiToken }>('/api/v1/tokens', {
        name,
        ...(scope ? { scope } : {}),
        ...(expiresInDays ? { expiresInDays } : {}),
      });
      const t = created.apiToken;
      // The token alone on stdout, so `TOKEN=$(mainstay tokens create ci)` works; the rest on stderr.
      ctx.out(created.token);
      ctx.note(
        `created token ${t.name} (id ${t.id}, scope ${t.scope}, expires ${t.expiresAt ?? 'never'})`,
        'warning: this token will not be shown again; store it now',
      );
    });

  tokens
    .command('revoke')
    .description('revoke an API token')
    .argument('<id>', 'token id (see tokens ls)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await ctx.client(cmd).delete(`/api/v1/tokens/${seg(id)}`);
      ctx.out(`revoked token ${id}`);
    });
}
