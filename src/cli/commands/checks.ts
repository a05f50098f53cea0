import type { Command } from 'commander';
import type { ProbeResult } from '../../checks/probes/probe.js';
import { type ApiClient, type Page, seg } from '../client.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { formatJson, formatTable, formatYamlDocuments, parseFormat } from '../output.js';
import {
  CHECK_KINDS,
  type Check,
  type CheckSummary,
  listColumns,
  resultLines,
  CHECK_STATUSES as STATUSES,
  type StoredResult,
  showLines,
  type Uptime,
} from './check-output.js';

function parseStatus(value: string): string {
  if ((STATUSES as readonly string[]).includes(value)) return value;
  throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(value)}`);
}

function parseKind(value: string): string {
  if ((CHECK_KINDS as readonly string[]).includes(value)) return value;
  throw new UsageError(`--kind must be one of ${CHECK_KINDS.join(', ')}, not ${JSON.stringify(value)}`);
}

function parseLabel(value: string): string {
  if (/^[^=\s]+=/.test(value)) return value;
  throw new UsageError(`--label must be key=value, not ${JSON.stringify(value)}`);
}

/** The check with this name or id (the API takes either). */
function getCheck(client: ApiClient, nameOrId: string): Promise<Check> {
  return client.get<Check>(`/api/v1/checks/${seg(nameOrId)}`);
}

export function registerChecks(program: Command, ctx: CliContext): void {
  const checks = program.command('checks').description('list, inspect and run synthetic checks');

  checks
    .command('ls')
    .description('list checks with their status, latency and 24-hour uptime')
    .option('--status <status>', `only checks in this status: ${STATUSES.join(', ')}`)
    .option('--kind <kind>', `only checks of this kind: ${CHECK_KINDS.join(', ')}`)
    .option('--label <key=value>', 'only checks with this label')
    .option('-q, --search <text>', 'only checks whose name, target or description contain this')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(
      async (
        opts: { status?: string; kind?: string; label?: string; search?: string; output: string },
        cmd: Command,
      ) => {
        const format = parseFormat(opts.output);
        const list = await ctx.client(cmd).list<CheckSummary>('/api/v1/checks', {
          status: opts.status === undefined ? undefined : parseStatus(opts.status),
          kind: opts.kind === undefined ? undefined : parseKind(opts.kind),
          label: opts.label === undefined ? undefined : parseLabel(opts.label),
          q: opts.search,
          sort: 'name',
        });
        if (format === 'json') return ctx.write(formatJson(list));
        if (format === 'yaml') return ctx.write(formatYamlDocuments(list));
        if (list.length === 0) return ctx.note('no checks found');
        ctx.write(formatTable(list, listColumns(Date.now())));
      },
    );

  checks
    .command('show')
    .description('a check: spec, state, uptime windows, certificate and its last 10 results')
    .argument('<name>', 'check name (or id)')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (name: string, opts: { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const client = ctx.client(cmd);
      const check = await getCheck(client, name);
      const base = `/api/v1/checks/${seg(check.id)}`;
      const [uptime, results] = await Promise.all([
        client.get<Uptime>(`${base}/uptime`),
        client.get<Page<StoredResult>>(`${base}/results`, { limit: 10, offset: 0 }),
      ]);
      const recent = results.items.slice(0, 10);
      const all = { check, uptime: uptime.windows, results: recent };
      if (format === 'json') return ctx.write(formatJson(all));
      if (format === 'yaml') return ctx.write(formatYamlDocuments([all]));
      ctx.out(...showLines(check, uptime, recent, Date.now()));
    });

  checks
    .command('run')
    .description('run a check once now and print the full result (not recorded); exit code 1 when it fails')
    .argument('<name>', 'check name (or id)')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (name: string, opts: { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      if (format === 'yaml') throw new UsageError('checks run prints table or json');
      const client = ctx.client(cmd);
      const check = await getCheck(client, name);
      const result = await client.post<ProbeResult>(`/api/v1/checks/${seg(check.id)}/run`, undefined);
      if (format === 'json') ctx.write(formatJson(result));
      else ctx.out(...resultLines(result));
      if (!result.ok) ctx.exitCode = EXIT.failure;
    });
}
