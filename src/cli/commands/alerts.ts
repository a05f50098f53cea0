import type { Command } from 'commander';
import type { AlertSource, Severity } from '../../alerts/alert.model.js';
import { type Page, seg } from '../client.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, formatTable, formatYamlDocuments, parseFormat } from '../output.js';
import { type Alert, type AlertHistoryEntry, alertColumns, alertLines, parseMatcherFlags } from './alert-output.js';
import { registerImportAlertmanager } from './import-alertmanager.js';
import { collect, parsePositiveInt } from './shared.js';
import { registerSilences } from './silences.js';

// Restated, not imported: the CLI takes only types from the server's models, so it does not load zod.
const STATUSES = ['firing', 'resolved', 'all'] as const;
const SOURCES = ['check', 'pagerduty', 'alertmanager', 'opsgenie', 'webhook', 'api'] as const;
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when the model gains or loses a source or severity.
const sameSources: Exact<(typeof SOURCES)[number], AlertSource> = true;
const sameSeverities: Exact<(typeof SEVERITIES)[number], Severity> = true;
void sameSources;
void sameSeverities;

const MAX_LIMIT = 500;
const HISTORY = 10;

function oneOf<T extends string>(values: readonly T[], flag: string): (value: string) => T {
  return (value) => {
    if ((values as readonly string[]).includes(value)) return value as T;
    throw new UsageError(`${flag} must be one of ${values.join(', ')}, not ${JSON.stringify(value)}`);
  };
}

function parseLimit(value: string): number {
  const n = parsePositiveInt(value, '--limit');
  if (n > MAX_LIMIT) throw new UsageError(`--limit is at most ${MAX_LIMIT}`);
  return n;
}

interface LsOptions {
  status: string;
  matcher?: string[];
  source?: string;
  severity?: string;
  search?: string;
  limit: string;
  output: string;
}

/** `alerts`, `silence` (alias `silences`) and `import alertmanager`. */
export function registerAlerts(program: Command, ctx: CliContext): void {
  registerAlertCommands(program, ctx);
  registerSilences(program, ctx);
  registerImportAlertmanager(program, ctx);
}

function registerAlertCommands(program: Command, ctx: CliContext): void {
  const alerts = program.command('alerts').description('list, inspect, acknowledge and resolve alerts');

  alerts
    .command('ls')
    .description('list alerts (firing by default), most recently seen first')
    .option('--status <status>', `firing, resolved or all`, 'firing')
    .option('-m, --matcher <matcher>', 'only alerts whose labels match, e.g. severity="critical" (repeatable)', collect)
    .option('--source <source>', `only alerts from this source: ${SOURCES.join(', ')}`)
    .option('--severity <severity>', `only alerts of this severity: ${SEVERITIES.join(', ')}`)
    .option('-q, --search <text>', 'only alerts whose summary contains this')
    .option('--limit <n>', `at most this many (1–${MAX_LIMIT})`, '100')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: LsOptions, cmd: Command) => {
      const format = parseFormat(opts.output);
      const matchers = parseMatcherFlags(opts.matcher);
      const page = await ctx.client(cmd).get<Page<Alert> & { partial?: boolean }>('/api/v1/alerts', {
        status: oneOf(STATUSES, '--status')(opts.status),
        // The API reads one value as a list (`a="1",b=~"x"`); the canonical form quotes every value.
        matcher: matchers.length ? matchers.join(',') : undefined,
        source: opts.source === undefined ? undefined : oneOf(SOURCES, '--source')(opts.source),
        severity: opts.severity === undefined ? undefined : oneOf(SEVERITIES, '--severity')(opts.severity),
        q: opts.search,
        limit: parseLimit(opts.limit),
        offset: 0,
      });
      if (format === 'json') ctx.write(formatJson(page.items));
      else if (format === 'yaml') ctx.write(formatYamlDocuments(page.items));
      else if (page.items.length === 0) ctx.note('no alerts found');
      else ctx.write(formatTable(page.items, alertColumns(Date.now())));
      if (page.total > page.items.length) ctx.note(`showing ${page.items.length} of ${page.total}; use --limit`);
      if (page.partial) ctx.note('partial: the matchers scanned only the most recent alerts; narrow with --status');
    });

  alerts
    .command('show')
    .description('an alert: summary, labels, why it is (not) notifying, recent history')
    .argument('<id>', 'alert id')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (id: string, opts: { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const client = ctx.client(cmd);
      const alert = await client.get<Alert>(`/api/v1/alerts/${seg(id)}`);
      const history = await client.get<Page<AlertHistoryEntry>>(`/api/v1/alerts/${seg(id)}/history`, {
        limit: HISTORY,
        offset: 0,
      });
      if (format === 'json') return ctx.write(formatJson({ alert, history: history.items }));
      if (format === 'yaml') return ctx.write(formatYamlDocuments([{ alert, history: history.items }]));
      ctx.out(...alertLines(alert, history.items, Date.now()));
    });

  for (const [name, action, done] of [
    ['ack', 'acknowledge', 'acknowledged'],
    ['resolve', 'resolve', 'resolved'],
  ] as const) {
    alerts
      .command(name)
      .description(`${action} an alert (as its source would: same deduplication, same history)`)
      .argument('<id>', 'alert id')
      .option('-o, --output <format>', 'table, yaml or json', 'table')
      .action(async (id: string, opts: { output: string }, cmd: Command) => {
        const format = parseFormat(opts.output);
        const alert = await ctx.client(cmd).post<Alert>(`/api/v1/alerts/${seg(id)}/${action}`, undefined);
        if (format === 'json') return ctx.write(formatJson(alert));
        if (format === 'yaml') return ctx.write(formatYamlDocuments([alert]));
        ctx.out(`${done} ${alert.id}: ${alert.summary} (now ${alert.status}${alert.acknowledged ? ', acked' : ''})`);
      });
  }
}
