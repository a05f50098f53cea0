import type { Command } from 'commander';
import type { User } from '../../platform/accounts/accounts.model.js';
import { type ApiClient, seg } from '../client.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { type Column, formatJson, formatTable, formatYamlDocuments, parseFormat, shortTime } from '../output.js';
import { promptNewPassword, readSecretFromStdin } from '../prompt.js';
import { parseRole } from './shared.js';

const COLUMNS: Column<User>[] = [
  { header: 'email', value: (u) => u.email },
  { header: 'name', value: (u) => u.name },
  { header: 'role', value: (u) => u.role },
  { header: 'time zone', value: (u) => u.timeZone },
  { header: 'disabled', value: (u) => (u.disabled ? 'yes' : 'no') },
  { header: 'teams', value: (u) => (u.teams ?? []).map((t) => t.name) },
  { header: 'last login', value: (u) => shortTime(u.lastLoginAt) },
];

/** The user with exactly this email, looked up through the list's text filter. */
export async function findUser(client: ApiClient, email: string): Promise<User> {
  const wanted = email.trim().toLowerCase();
  const users = await client.list<User>('/api/v1/users', { q: wanted });
  const user = users.find((u) => u.email.toLowerCase() === wanted);
  if (!user) throw new CliError(`no user with email ${email}`, { hint: 'mainstay users ls lists the users' });
  return user;
}

export function registerUsers(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('manage user accounts');

  users
    .command('ls')
    .description('list users')
    .option('--role <role>', 'only users with this role')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: { role?: string; output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const role = opts.role === undefined ? undefined : parseRole(opts.role);
      let list = await ctx.client(cmd).list<User>('/api/v1/users', { role });
      // Filtered again here so an older server that ignores `role` still gives the right answer.
      if (role) list = list.filter((u) => u.role === role);
      if (format === 'json') return ctx.write(formatJson(list));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(list));
      if (list.length === 0) return ctx.note('no users found');
      ctx.write(formatTable(list, COLUMNS));
    });

  users
    .command('add')
    .description('create a user')
    .argument('<email>', 'the user’s email (their login)')
    .requiredOption('--name <name>', 'full name')
    .option('--role <role>', 'viewer, responder, editor or admin')
    .option('--time-zone <tz>', 'IANA time zone, e.g. Europe/Berlin (default UTC)')
    .option('--password-stdin', 'read an initial password from stdin')
    .action(
      async (
        email: string,
        opts: { name: string; role?: string; timeZone?: string; passwordStdin?: boolean },
        cmd: Command,
      ) => {
        const role = opts.role === undefined ? undefined : parseRole(opts.role);
        const password = opts.passwordStdin ? await readSecretFromStdin(ctx.io) : undefined;
        const user = await ctx.client(cmd).post<User>('/api/v1/users', {
          email,
          name: opts.name,
          ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
          ...(role ? { role } : {}),
          ...(password ? { password } : {}),
        });
        ctx.out(`created user ${user.email} (id ${user.id}, role ${user.role ?? 'none'}, time zone ${user.timeZone})`);
        if (!password) ctx.note(`no password set; set one with: mainstay users passwd ${user.email}`);
      },
    );

  users
    .command('passwd')
    .description("set a user's password (admin)")
    .argument('<email>', 'the user’s email')
    .option('--password-stdin', 'read the new password from stdin instead of asking')
    .action(async (email: string, opts: { passwordStdin?: boolean }, cmd: Command) => {
      const password = opts.passwordStdin ? await readSecretFromStdin(ctx.io) : await promptNewPassword(ctx.io);
      const client = ctx.client(cmd);
      const user = await findUser(client, email);
      await client.post(`/api/v1/users/${seg(user.id)}/password`, { password });
      ctx.out(`password changed for ${user.email}`);
    });

  users
    .command('rm')
    .description('delete a user')
    .argument('<email>', 'the user’s email')
    .action(async (email: string, _opts: unknown, cmd: Command) => {
      const client = ctx.client(cmd);
      const user = await findUser(client, email);
      await client.delete(`/api/v1/users/${seg(user.id)}`);
      ctx.out(`deleted user ${user.email}`);
    });
}
