import type { Command } from 'commander';
import type { ContactMethod } from '../../notify/contact.model.js';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { type Column, formatJson, formatTable, formatYamlDocuments, parseFormat, shortTime } from '../output.js';

const COLUMNS: Column<ContactMethod>[] = [
  { header: 'name', value: (c) => c.name },
  { header: 'channel', value: (c) => c.channel },
  { header: 'type', value: (c) => c.channelType ?? '(channel gone)' },
  { header: 'address', value: (c) => c.address ?? '' },
  { header: 'created', value: (c) => shortTime(c.createdAt) },
];

interface TestResult {
  ok: boolean;
  statusCode?: number;
  latencyMs: number;
  error?: string;
  response?: string;
}

const USER_OPTION = ['--user <email>', 'whose contact methods (admins may manage anyone’s; default: yours)'] as const;
const base = (user: string | undefined) => `/api/v1/users/${seg(user ?? 'me')}/contact-methods`;

/** `mainstay contacts`: how a person is reached when paged (contact methods are per person, not resources). */
export function registerContacts(program: Command, ctx: CliContext): void {
  const contacts = program
    .command('contacts')
    .description('contact methods: how a person is reached on a channel when paged');

  contacts
    .command('ls')
    .description('list contact methods')
    .option(...USER_OPTION)
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: { user?: string; output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const list = await ctx.client(cmd).get<ContactMethod[]>(base(opts.user));
      if (format === 'json') return ctx.write(formatJson(list));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(list));
      if (list.length === 0)
        return ctx.note('no contact methods: pages to this person reach nobody (add one with mainstay contacts add)');
      ctx.write(formatTable(list, COLUMNS));
    });

  contacts
    .command('add')
    .description('add a contact method on a channel (the address is checked against the channel type)')
    .argument('<name>', 'a name for it, e.g. phone, work-email, pager')
    .requiredOption('--channel <channel>', 'the Channel that carries it')
    .option('--address <address>', 'phone number, email, chat id or topic; none for webhook, Slack and Teams')
    .option(...USER_OPTION)
    .action(async (name: string, opts: { channel: string; address?: string; user?: string }, cmd: Command) => {
      const c = await ctx.client(cmd).post<ContactMethod>(base(opts.user), {
        name,
        channel: opts.channel,
        ...(opts.address !== undefined ? { address: opts.address } : {}),
      });
      ctx.out(`added contact method ${c.name} (${c.channelType ?? c.channel}${c.address ? ` ${c.address}` : ''})`);
    });

  contacts
    .command('rm')
    .description('remove a contact method and the notification rules that use it')
    .argument('<name>', 'its name or id')
    .option(...USER_OPTION)
    .action(async (name: string, opts: { user?: string }, cmd: Command) => {
      await ctx.client(cmd).delete(`${base(opts.user)}/${seg(name)}`);
      ctx.out(`removed contact method ${name}`);
    });

  contacts
    .command('test')
    .description('send a test message to a contact method now and show the channel’s answer')
    .argument('<name>', 'its name or id')
    .option(...USER_OPTION)
    .action(async (name: string, opts: { user?: string }, cmd: Command) => {
      const r = await ctx.client(cmd).post<TestResult>(`${base(opts.user)}/${seg(name)}/test`, {});
      const status = r.statusCode === undefined ? '' : ` HTTP ${r.statusCode}`;
      if (!r.ok)
        throw new CliError(`test message failed:${status} ${r.error ?? ''}`.trim(), {
          hint: 'check the channel’s settings (mainstay get channels NAME -o yaml)',
        });
      ctx.out(
        `delivered${status} in ${Math.round(r.latencyMs)} ms${r.response?.trim() ? `: ${r.response.trim()}` : ''}`,
      );
    });
}
