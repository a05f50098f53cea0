import type { Command } from 'commander';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, formatTable, formatYamlDocuments, parseFormat } from '../output.js';
import { type Alert, parseMatcherFlags, type Silence, silenceColumns, silenceLines } from './alert-output.js';
import { collect } from './shared.js';

const STATES = ['active', 'pending', 'expired', 'all'] as const;
// As the server's DurationSchema (Prometheus durations).
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const SHOWN = 5;

function parseInstant(value: string, flag: string): string {
  const ms = Date.parse(value);
  // An offset is required: a bare local time means different instants on the laptop and the server.
  if (!INSTANT.test(value) || Number.isNaN(ms))
    throw new UsageError(`${flag} must be an ISO 8601 time with an offset, not ${JSON.stringify(value)}`, {
      hint: 'e.g. 2026-11-21T18:00:00Z or 2026-11-21T19:00+01:00',
    });
  return new Date(ms).toISOString();
}

function parseDurationFlag(value: string): string {
  if (!DURATION.test(value) || !/[1-9]/.test(value))
    throw new UsageError(`--for must be a duration like 30m, 2h, 1d, not ${JSON.stringify(value)}`);
  return value;
}

interface AddOptions {
  matcher: string[];
  for?: string;
  until?: string;
  start?: string;
  comment: string;
  name?: string;
  output: string;
}

export function registerSilences(program: Command, ctx: CliContext): void {
  const silence = program
    .command('silence')
    .alias('silences')
    .description('mute notifications of matching alerts for a while');

  silence
    .command('add')
    .description('create (or replace, by --name) a silence; prints how many firing alerts it matches now')
    .requiredOption(
      '-m, --matcher <matcher>',
      'alertname="DiskFull", service=~"api|web" (repeatable; all must hold)',
      collect,
    )
    .option('--for <duration>', 'how long, from the start: 30m, 2h, 1d')
    .option('--until <time>', 'when it ends: an ISO 8601 time with offset')
    .option('--start <time>', 'when it starts (default: now): an ISO 8601 time with offset')
    .requiredOption('-c, --comment <text>', 'why (shown to everyone who sees the silenced alerts)')
    .option('--name <name>', 'the silence name (default: generated); an existing silence of that name is replaced')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: AddOptions, cmd: Command) => {
      const format = parseFormat(opts.output);
      const matchers = parseMatcherFlags(opts.matcher);
      if ((opts.for === undefined) === (opts.until === undefined))
        throw new UsageError('give one of --for and --until', { hint: 'e.g. --for 2h' });
      if (!opts.comment.trim()) throw new UsageError('--comment must say why');
      const body = {
        ...(opts.name ? { name: opts.name } : {}),
        matchers,
        ...(opts.start ? { startsAt: parseInstant(opts.start, '--start') } : {}),
        ...(opts.until ? { endsAt: parseInstant(opts.until, '--until') } : {}),
        ...(opts.for ? { duration: parseDurationFlag(opts.for) } : {}),
        comment: opts.comment,
      };
      const client = ctx.client(cmd);
      const created = await client.post<Silence>('/api/v1/silences', body);
      const preview = await client.post<{ total: number; items: Alert[] }>('/api/v1/silences/preview', {
        matchers: created.matchers,
      });
      if (format === 'json') return ctx.write(formatJson({ silence: created, matchingFiring: preview.total }));
      if (format === 'yaml')
        return ctx.write(formatYamlDocuments([{ silence: created, matchingFiring: preview.total }]));
      ctx.out(...silenceLines(created), '');
      const n = preview.total;
      ctx.out(`matches ${n} firing alert${n === 1 ? '' : 's'} now${n ? ':' : ''}`);
      for (const a of preview.items.slice(0, SHOWN)) ctx.out(`  ${a.id}  ${a.summary}`);
      if (n > SHOWN)
        ctx.out(`  … and ${n - SHOWN} more (mainstay alerts ls ${matchers.map((m) => `-m '${m}'`).join(' ')})`);
    });

  silence
    .command('ls')
    .description('list silences, latest ending first')
    .option('--state <state>', `active, pending, expired or all`, 'all')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: { state: string; output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      if (!(STATES as readonly string[]).includes(opts.state))
        throw new UsageError(`--state must be one of ${STATES.join(', ')}, not ${JSON.stringify(opts.state)}`);
      const list = await ctx.client(cmd).list<Silence>('/api/v1/silences', { state: opts.state });
      if (format === 'json') return ctx.write(formatJson(list));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(list));
      if (list.length === 0) return ctx.note('no silences found');
      ctx.write(formatTable(list, silenceColumns));
    });

  silence
    .command('expire')
    .description('end a silence now')
    .argument('<name>', 'silence name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const s = await ctx.client(cmd).post<Silence>(`/api/v1/silences/${seg(name)}/expire`, undefined);
      ctx.out(`expired silence ${s.name} (state ${s.state}, ended ${s.endsAt})`);
    });
}
