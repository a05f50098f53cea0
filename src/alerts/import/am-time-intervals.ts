import { TimeIntervalSpecSchema } from '../config.model.js';
import { compileTimeInterval, TimeIntervalError } from '../time-intervals.js';
import { AlertmanagerConfigError, type ImportContext, isMap, slug, type YamlMap } from './am-context.js';

/**
 * `time_intervals` and the deprecated top-level `mute_time_intervals` (docs: configuration →
 * <time_interval>) → TimeInterval documents. Alertmanager keeps a `location` per entry, ours is per
 * resource; entries in different zones become one resource per zone, and a route naming the
 * interval names all of them (mute and active intervals both hold when any named one does).
 */

/** Alertmanager name → the TimeInterval resources standing for it (empty: nothing could be carried). */
export type IntervalNames = Map<string, string[]>;

const ENTRY_KEYS = new Set(['times', 'weekdays', 'days_of_month', 'months', 'years', 'location']);
const LIST_FIELDS = [
  ['weekdays', 'weekdays'],
  ['days_of_month', 'daysOfMonth'],
  ['months', 'months'],
  ['years', 'years'],
] as const;

function list(entry: YamlMap, key: string, path: string): unknown[] {
  const v = entry[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AlertmanagerConfigError(`${path}.${key}`, 'must be a list');
  return v;
}

function convertEntry(ctx: ImportContext, entry: unknown, path: string): { zone: string; spec: YamlMap } {
  if (entry === null || entry === undefined) return { zone: 'UTC', spec: {} };
  if (!isMap(entry)) throw new AlertmanagerConfigError(path, 'must be a map');
  for (const key of Object.keys(entry))
    if (!ENTRY_KEYS.has(key)) ctx.skip(`${path}.${key}`, 'unknown time interval field, ignored');
  const spec: YamlMap = {};
  const times = list(entry, 'times', path).map((t, i) => {
    if (!isMap(t)) throw new AlertmanagerConfigError(`${path}.times[${i}]`, 'must have start_time and end_time');
    return { start: String(t.start_time ?? ''), end: String(t.end_time ?? '') };
  });
  if (times.length) spec.times = times;
  for (const [from, to] of LIST_FIELDS) {
    const values = list(entry, from, path).map(String);
    if (values.length) spec[to] = values;
  }
  let zone = entry.location === undefined || entry.location === null ? 'UTC' : String(entry.location);
  if (zone === 'Local') {
    // Alertmanager reads `Local` as the zone of the machine it runs on, which the file does not say.
    ctx.skip(`${path}.location`, 'Local means the Alertmanager host zone, which is unknown here; read as UTC');
    zone = 'UTC';
  }
  return { zone, spec };
}

function convertOne(ctx: ImportContext, item: unknown, path: string, out: IntervalNames): void {
  if (!isMap(item) || typeof item.name !== 'string' || item.name === '')
    throw new AlertmanagerConfigError(path, 'a time interval needs a name');
  const amName = item.name;
  if (out.has(amName)) throw new AlertmanagerConfigError(`${path}.name`, `time interval ${amName} is defined twice`);
  const entries = list(item, 'time_intervals', path).map((e, i) =>
    convertEntry(ctx, e, `${path}.time_intervals[${i}]`),
  );
  if (entries.length === 0) {
    ctx.skip(path, `time interval ${amName} has no entries; routes naming it are imported without it`);
    out.set(amName, []);
    return;
  }
  const byZone = new Map<string, YamlMap[]>();
  for (const e of entries) byZone.set(e.zone, [...(byZone.get(e.zone) ?? []), e.spec]);
  const names: string[] = [];
  for (const [zone, intervals] of byZone) {
    const wanted = names.length === 0 ? amName : `${amName}-${slug(zone.toLowerCase())}`;
    const name = ctx.names.TimeInterval.allocate(wanted, 'interval');
    const parsed = TimeIntervalSpecSchema.safeParse({ timeZone: zone, intervals });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AlertmanagerConfigError(`${path}.time_intervals`, `${issue?.path.join('.')}: ${issue?.message}`);
    }
    try {
      compileTimeInterval(parsed.data);
    } catch (err) {
      if (err instanceof TimeIntervalError) throw new AlertmanagerConfigError(`${path}.time_intervals`, err.message);
      throw err;
    }
    ctx.add(path, 'TimeInterval', name, { timeZone: zone, intervals });
    names.push(name);
  }
  if (names.length > 1)
    ctx.notes.push(`${path}: entries in ${byZone.size} time zones became TimeIntervals ${names.join(', ')}`);
  else ctx.noteRename(path, 'time interval', amName, names[0] as string);
  out.set(amName, names);
}

/** Converts both sections; names must be unique across them, as Alertmanager requires. */
export function convertTimeIntervals(ctx: ImportContext, config: YamlMap): IntervalNames {
  const out: IntervalNames = new Map();
  for (const section of ['time_intervals', 'mute_time_intervals'] as const) {
    const items = config[section];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) throw new AlertmanagerConfigError(section, 'must be a list');
    items.forEach((item, i) => {
      convertOne(ctx, item, `${section}[${i}]`, out);
    });
  }
  return out;
}
