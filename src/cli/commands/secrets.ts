import type { Command } from 'commander';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { type Column, formatJson, formatTable, formatYamlDocuments, parseFormat, shortTime } from '../output.js';
import { isTty, promptLine, readAll } from '../prompt.js';

/** A secret as the API lists it: never its value. */
interface Secret {
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS: Column<Secret>[] = [
  { header: 'name', value: (s) => s.name },
  { header: 'description', value: (s) => s.description },
  { header: 'updated', value: (s) => shortTime(s.updatedAt) },
];

/** The value from stdin: all of it (PEM keys span lines), minus one trailing line break. */
async function valueFromStdin(ctx: CliContext): Promise<string> {
  if (isTty(ctx.io.stdin)) throw new UsageError('--value-stdin needs the value piped in, not a terminal');
  return (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
}

async function readValue(ctx: CliContext, name: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) return valueFromStdin(ctx);
  if (!isTty(ctx.io.stdin)) {
    throw new UsageError('no terminal to ask for the secret value', {
      hint: `pipe it in: printf '%s' "$VALUE" | mainstay secrets set ${name} --value-stdin`,
    });
  }
  return promptLine(ctx.io, `Value of secret ${name}: `, { hidden: true, what: 'secret value' });
}

export function registerSecrets(program: Command, ctx: CliContext): void {
  const secrets = program.command('secrets').description('manage secrets that checks refer to by name');

  secrets
    .command('ls')
    .description('list secrets (names and descriptions; values are never shown)')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const list = await ctx.client(cmd).list<Secret>('/api/v1/secrets', { sort: 'name' });
      if (format === 'json') return ctx.write(formatJson(list));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(list));
      if (list.length === 0) return ctx.note('no secrets found');
      ctx.write(formatTable(list, COLUMNS));
    });

  secrets
    .command('set')
    .description('create a secret or replace its value (asks for it, hidden, on a terminal)')
    .argument('<name>', 'secret name, e.g. db-password')
    .option('--description <text>', 'what the secret is for')
    .option('--value-stdin', 'read the value from stdin (all of it, without the final line break)')
    .action(async (name: string, opts: { description?: string; valueStdin?: boolean }, cmd: Command) => {
      const value = await readValue(ctx, name, Boolean(opts.valueStdin));
      if (value === '') throw new UsageError('the secret value is empty');
      const client = ctx.client(cmd);
      const description = opts.description === undefined ? {} : { description: opts.description };
      try {
        await client.put(`/api/v1/secrets/${seg(name)}`, { value, ...description });
        ctx.out(`updated secret ${name}`);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        await client.post('/api/v1/secrets', { name, value, ...description });
        ctx.out(`created secret ${name}`);
      }
    });

  secrets
    .command('rm')
    .description('delete a secret')
    .argument('<name>', 'secret name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await ctx.client(cmd).delete(`/api/v1/secrets/${seg(name)}`);
      ctx.out(`deleted secret ${name}`);
    });
}
