import type { Command } from 'commander';
import { type Page, seg } from '../client.js';
import type { CliContext } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { formatJson, formatTable, formatYamlDocuments, parseFormat } from '../output.js';
import {
  type Incident,
  incidentColumns,
  incidentLines,
  parseIncidentRef,
  parseSeverityFlag,
  parseStatusFlag,
  SEVERITIES,
  type TimelineEntry,
  transitionLine,
  URGENCIES,
} from './incident-output.js';
import { parsePositiveInt } from './shared.js';

const MAX_LIMIT = 500;
const TIMELINE = 20;

const ACTIONS = {
  ack: { path: 'acknowledge', done: 'acknowledged', what: 'acknowledge an incident: you are on it (stops escalation)' },
  resolve: { path: 'resolve', done: 'resolved', what: 'resolve an incident (stops paging; linked alerts stay)' },
  reopen: { path: 'reopen', done: 'reopened', what: 'reopen a resolved incident (escalation starts over)' },
} as const;
type Action = keyof typeof ACTIONS;

function parseLimit(value: string, flag: string): number {
  const n = parsePositiveInt(value, flag);
  if (n > MAX_LIMIT) throw new UsageError(`${flag} is at most ${MAX_LIMIT}`);
  return n;
}

function parseUrgency(value: string): (typeof URGENCIES)[number] {
  const v = value.trim().toLowerCase();
  if ((URGENCIES as readonly string[]).includes(v)) return v as (typeof URGENCIES)[number];
  throw new UsageError(`--urgency must be one of ${URGENCIES.join(', ')}, not ${JSON.stringify(value)}`);
}

interface LsOptions {
  status: string;
  severity?: string;
  service?: string;
  team?: string;
  search?: string;
  limit: string;
  output: string;
}

interface CreateOptions {
  title: string;
  description?: string;
  severity?: string;
  urgency?: string;
  policy?: string;
  service?: string;
  team?: string;
  output: string;
}

/** `incidents` (ls, show, create, ack, resolve, reopen) and the top-level `ack` and `resolve`. */
export function registerIncidents(program: Command, ctx: CliContext): void {
  const incidents = program
    .command('incidents')
    .alias('incident')
    .description('list, inspect, open, acknowledge and resolve incidents');

  incidents
    .command('ls')
    .description('list incidents (open ones by default), newest first')
    .option(
      '--status <status>',
      'open (triggered and acknowledged), all, or a list: triggered,acknowledged,resolved',
      'open',
    )
    .option('--severity <list>', `only these severities: ${SEVERITIES.join(',')} (comma-separated)`)
    .option('--service <service>', 'only incidents of this service')
    .option('--team <team>', 'only incidents of this team')
    .option('-q, --search <text>', 'only incidents whose title contains this')
    .option('--limit <n>', `at most this many (1–${MAX_LIMIT})`, '100')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: LsOptions, cmd: Command) => {
      const format = parseFormat(opts.output);
      const status = parseStatusFlag(opts.status);
      const page = await ctx.client(cmd).get<Page<Incident>>('/api/v1/incidents', {
        status: status?.join(','),
        severity: opts.severity === undefined ? undefined : parseSeverityFlag(opts.severity).join(','),
        service: opts.service,
        team: opts.team,
        q: opts.search,
        limit: parseLimit(opts.limit, '--limit'),
        offset: 0,
      });
      if (format === 'json') ctx.write(formatJson(page.items));
      else if (format === 'yaml') ctx.write(formatYamlDocuments(page.items));
      else if (page.items.length === 0)
        ctx.note(`no ${status?.length === 2 && !status.includes('resolved') ? 'open ' : ''}incidents found`);
      else ctx.write(formatTable(page.items, incidentColumns(Date.now())));
      if (page.total > page.items.length) ctx.note(`showing ${page.items.length} of ${page.total}; use --limit`);
    });

  incidents
    .command('show')
    .description('an incident: status, severity, who acknowledged and when, roles, latest timeline')
    .argument('<incident>', 'incident number (42 or #42) or id')
    .option('--timeline <n>', `how many of the latest timeline entries (1–${MAX_LIMIT})`, String(TIMELINE))
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (ref: string, opts: { timeline: string; output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const id = seg(parseIncidentRef(ref));
      const limit = parseLimit(opts.timeline, '--timeline');
      const client = ctx.client(cmd);
      const incident = await client.get<Incident>(`/api/v1/incidents/${id}`);
      // The latest entries, newest first from the API, shown oldest first.
      const page = await client.get<Page<TimelineEntry>>(`/api/v1/incidents/${id}/timeline`, {
        sort: '-at',
        limit,
        offset: 0,
      });
      const timeline = [...page.items].reverse();
      if (format === 'json') return ctx.write(formatJson({ incident, timeline }));
      if (format === 'yaml') return ctx.write(formatYamlDocuments([{ incident, timeline }]));
      ctx.out(...incidentLines(incident, timeline, page.total, Date.now()));
    });

  incidents
    .command('create')
    .description('open an incident by hand (pages through --policy when given)')
    .requiredOption('--title <title>', 'what is wrong, in a line')
    .option('--description <text>', 'more detail')
    .option('--severity <severity>', `${SEVERITIES.join(', ')} (default SEV3)`)
    .option('--urgency <urgency>', `${URGENCIES.join(' or ')} (default high)`)
    .option('--policy <name>', 'page through this escalation policy')
    .option('--service <service>', 'the affected service')
    .option('--team <team>', 'the owning team')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: CreateOptions, cmd: Command) => {
      const format = parseFormat(opts.output);
      if (!opts.title.trim()) throw new UsageError('--title must say what is wrong');
      let severity: string | undefined;
      if (opts.severity !== undefined) {
        const list = parseSeverityFlag(opts.severity);
        if (list.length !== 1) throw new UsageError('--severity takes one severity', { hint: 'e.g. --severity SEV2' });
        severity = list[0];
      }
      const body = {
        title: opts.title,
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(severity ? { severity } : {}),
        ...(opts.urgency !== undefined ? { urgency: parseUrgency(opts.urgency) } : {}),
        ...(opts.policy ? { policy: opts.policy } : {}),
        ...(opts.service ? { service: opts.service } : {}),
        ...(opts.team ? { team: opts.team } : {}),
      };
      const inc = await ctx.client(cmd).post<Incident>('/api/v1/incidents', body);
      if (format === 'json') return ctx.write(formatJson(inc));
      if (format === 'yaml') return ctx.write(formatYamlDocuments([inc]));
      const paging = inc.policy ? `, paging through ${inc.policy}` : ', nobody paged (no --policy)';
      ctx.out(`${transitionLine(inc, 'opened')}: ${inc.severity}, ${inc.urgency} urgency${paging}`);
    });

  for (const action of Object.keys(ACTIONS) as Action[]) {
    const command = (parent: Command) =>
      parent
        .command(action)
        .description(ACTIONS[action].what)
        .argument('<incident>', 'incident number (42 or #42) or id')
        .option('-o, --output <format>', 'table, yaml or json', 'table')
        .action((ref: string, opts: { output: string }, cmd: Command) =>
          transition(ctx, cmd, action, ref, opts.output),
        );
    command(incidents);
    // `mainstay ack 42` and `mainstay resolve 42`: what an on-call person types at 3 a.m.
    if (action !== 'reopen') command(program);
  }
}

async function transition(ctx: CliContext, cmd: Command, action: Action, ref: string, output: string): Promise<void> {
  const format = parseFormat(output);
  const id = parseIncidentRef(ref);
  let inc: Incident;
  try {
    inc = await ctx.client(cmd).post<Incident>(`/api/v1/incidents/${seg(id)}/${ACTIONS[action].path}`, undefined);
  } catch (err) {
    // The server's message stands; its hint ("reopen it first") gets the command that does it.
    if (err instanceof ApiError && err.code === 'already_resolved')
      throw new ApiError(err.status, {
        code: err.code,
        message: err.message,
        hint: `${err.hint ? `${err.hint}: ` : ''}mainstay incidents reopen ${id}`,
      });
    throw err;
  }
  if (format === 'json') return ctx.write(formatJson(inc));
  if (format === 'yaml') return ctx.write(formatYamlDocuments([inc]));
  ctx.out(transitionLine(inc, ACTIONS[action].done));
}
