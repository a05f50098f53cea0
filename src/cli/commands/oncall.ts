import type { Command } from 'commander';
import type { User } from '../../platform/accounts/accounts.model.js';
import { type ApiClient, type Page, seg } from '../client.js';
import type { CliContext } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { formatJson, formatTable, formatYamlDocuments, type OutputFormat, parseFormat } from '../output.js';
import {
  type OnCall,
  onCallColumns,
  onCallLines,
  person,
  shiftsTable,
  type Timeline,
  timelineTable,
  type UserShift,
} from './oncall-output.js';
import { formatDuration, isTimeZone, parseDuration, parseInstant, zonedTime } from './time-output.js';
import { findUser } from './users.js';

// The API's page size limit for GET /api/v1/oncall (it computes each schedule, so it is smaller than lists').
const ONCALL_PAGE = 200;
const SCHEDULES_HINT = 'mainstay oncall now lists the schedules';

interface RangeOptions {
  from?: string;
  to?: string;
}

/** --from/--to as UTC ISO instants, checked here so a reversed range is a usage error. */
function parseRange(opts: RangeOptions): { from?: string; to?: string } {
  const from = opts.from === undefined ? undefined : parseInstant(opts.from, '--from');
  const to = opts.to === undefined ? undefined : parseInstant(opts.to, '--to');
  if (from && to && Date.parse(to) <= Date.parse(from)) throw new UsageError('--to must be after --from');
  if (to && !from && Date.parse(to) <= Date.now())
    throw new UsageError('--to must be after --from, which is now when not given', { hint: 'give --from as well' });
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** A schedule the server does not know: the server's message, with a hint in CLI terms. */
async function onSchedule<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.code === 'not_found')
      throw new ApiError(err.status, { code: err.code, message: err.message, hint: SCHEDULES_HINT });
    throw err;
  }
}

function write(ctx: CliContext, format: OutputFormat, value: unknown): boolean {
  if (format === 'json') ctx.write(formatJson(value));
  else if (format === 'yaml') ctx.write(formatYamlDocuments([value]));
  else return false;
  return true;
}

/** Every schedule's on-call answer, page by page. */
async function allOnCall(client: ApiClient): Promise<OnCall[]> {
  const items: OnCall[] = [];
  for (;;) {
    const page = await client.get<Page<OnCall>>('/api/v1/oncall', { limit: ONCALL_PAGE, offset: items.length });
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

/** `oncall now`, `at`, `timeline`, `shifts` and `override`. */
export function registerOncall(program: Command, ctx: CliContext): void {
  const oncall = program.command('oncall').description('who is on call: now, at a time, timelines, shifts, overrides');

  oncall
    .command('now')
    .description('who is on call now on every schedule, or on one (with their whole shift)')
    .argument('[schedule]', 'schedule name (default: every schedule)')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (schedule: string | undefined, opts: { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const client = ctx.client(cmd);
      if (schedule !== undefined) {
        const o = await onSchedule(client.get<OnCall>(`/api/v1/schedules/${seg(schedule)}/oncall`));
        if (!write(ctx, format, o)) ctx.out(...onCallLines(o));
        return;
      }
      const all = await allOnCall(client);
      if (format === 'json') return ctx.write(formatJson(all));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(all));
      if (all.length === 0) return ctx.note('no schedules yet; define one with kind: Schedule and mainstay apply -f');
      ctx.write(formatTable(all, onCallColumns(Date.now())));
    });

  oncall
    .command('at')
    .description('who is on call on a schedule at a time, and their shift in the zone and in UTC')
    .argument('<schedule>', 'schedule name')
    .argument('<time>', 'an ISO 8601 time with an offset, e.g. 2026-03-08T07:30-05:00')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (schedule: string, time: string, opts: { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const at = parseInstant(time, 'TIME');
      const o = await onSchedule(ctx.client(cmd).get<OnCall>(`/api/v1/schedules/${seg(schedule)}/oncall`, { at }));
      if (!write(ctx, format, o)) ctx.out(...onCallLines(o));
    });

  oncall
    .command('timeline')
    .description("a schedule's final timeline (layers, overrides and swaps resolved), gaps included")
    .argument('<schedule>', 'schedule name')
    .option('--from <time>', 'start: an ISO 8601 time with an offset (default: now)')
    .option('--to <time>', 'end: an ISO 8601 time with an offset (default: 14 days after the start)')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (schedule: string, opts: RangeOptions & { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const range = parseRange(opts);
      const t = await onSchedule(ctx.client(cmd).get<Timeline>(`/api/v1/schedules/${seg(schedule)}/timeline`, range));
      if (write(ctx, format, t)) return;
      ctx.note(`${t.schedule}: times in ${t.timeZone}`);
      ctx.write(timelineTable(t));
    });

  oncall
    .command('shifts')
    .description('your shifts across every schedule (or --user’s), in your time zone')
    .option('--user <email>', 'whose shifts (default: yours)')
    .option('--from <time>', 'start: an ISO 8601 time with an offset (default: now)')
    .option('--to <time>', 'end: an ISO 8601 time with an offset (default: 28 days after the start)')
    .option('--tz <zone>', "show times in this IANA zone (default: the person's time zone)")
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (opts: RangeOptions & { user?: string; tz?: string; output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const range = parseRange(opts);
      if (opts.tz !== undefined && !isTimeZone(opts.tz))
        throw new UsageError(`--tz must be an IANA time zone, not ${JSON.stringify(opts.tz)}`, {
          hint: 'e.g. Europe/Berlin, America/New_York or UTC',
        });
      const client = ctx.client(cmd);
      const who = opts.user?.trim() || 'me';
      const shifts = await client.get<UserShift[]>(`/api/v1/users/${seg(who)}/shifts`, range);
      if (format === 'json') return ctx.write(formatJson(shifts));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(shifts));
      // Looked up only for the table: a person reads their shifts in their own zone.
      const user = opts.tz
        ? undefined
        : who === 'me'
          ? await client.get<User>('/api/v1/me')
          : await findUser(client, who);
      const zone = opts.tz ?? user?.timeZone ?? 'UTC';
      const whose = who === 'me' ? 'you have' : `${who} has`;
      if (shifts.length === 0)
        return ctx.note(`${whose} no shifts ${range.from || range.to ? 'in that range' : 'in the next 28 days'}`);
      ctx.note(`times in ${zone}${opts.tz ? '' : ` (${who === 'me' ? 'your' : 'their'} time zone)`}`);
      ctx.write(shiftsTable(shifts, zone));
    });

  oncall
    .command('override')
    .description('someone covers a schedule for a while (wins over every layer)')
    .argument('<schedule>', 'schedule name')
    .requiredOption('--user <email>', 'who covers')
    .option('--start <time>', 'when the cover starts: an ISO 8601 time with an offset (default: now)')
    .option('--end <time>', 'when it ends: an ISO 8601 time with an offset')
    .option('--for <duration>', 'how long, from the start: 30m, 8h, 2d')
    .option('--reason <text>', 'why (shown on the timeline)')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(
      async (
        schedule: string,
        opts: { user: string; start?: string; end?: string; for?: string; reason?: string; output: string },
        cmd: Command,
      ) => {
        const format = parseFormat(opts.output);
        if ((opts.end === undefined) === (opts.for === undefined))
          throw new UsageError('give one of --end and --for', { hint: 'e.g. --for 8h' });
        const start = opts.start === undefined ? new Date().toISOString() : parseInstant(opts.start, '--start');
        const end =
          opts.end !== undefined
            ? parseInstant(opts.end, '--end')
            : new Date(Date.parse(start) + parseDuration(opts.for as string, '--for')).toISOString();
        if (Date.parse(end) <= Date.parse(start)) throw new UsageError('--end must be after --start');
        const client = ctx.client(cmd);
        const created = await onSchedule(
          client.post<{ id: string; user: string; start: string; end: string; reason: string }>(
            `/api/v1/schedules/${seg(schedule)}/overrides`,
            { user: opts.user, start, end, ...(opts.reason ? { reason: opts.reason } : {}) },
          ),
        );
        if (write(ctx, format, created)) return;
        // Asked back, so the line shows the schedule's zone and what the schedule now says.
        const then = await client.get<OnCall>(`/api/v1/schedules/${seg(schedule)}/oncall`, { at: created.start });
        const zone = then.timeZone;
        ctx.out(
          `override ${created.id} on ${schedule}: ${created.user} from ${zonedTime(created.start, zone)} ` +
            `to ${zonedTime(created.end, zone)} (${formatDuration(Date.parse(created.end) - Date.parse(created.start))})`,
          `on call then: ${person(then.onCall)}`,
        );
      },
    );
}
