import { type RouteNodeSpec, RouteSpecSchema } from '../config.model.js';
import { compileRouteTree, RouteError } from '../routing.js';
import { AlertmanagerConfigError, type ImportContext, isMap, type YamlMap } from './am-context.js';
import { convertMatchers, ROUTE_KEYS } from './am-matchers.js';
import type { IntervalNames } from './am-time-intervals.js';

/**
 * `route` (docs: configuration → <route>) → the Route named root. Field for field: our routing
 * tree has Alertmanager's semantics (inheritance, continue, group_by `...`), so the tree keeps its
 * shape and only names change (receivers and time intervals may be renamed or prefixed).
 */

const ROUTE_FIELDS = new Set([
  'receiver',
  'group_by',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'continue',
  'match',
  'match_re',
  'matchers',
  'mute_time_intervals',
  'active_time_intervals',
  'routes',
]);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/;

type Node = Partial<RouteNodeSpec> & { matchers?: string[] };

interface Names {
  receivers: Map<string, string>;
  intervals: IntervalNames;
}

function duration(node: YamlMap, key: string, path: string): string | undefined {
  const v = node[key];
  if (v === undefined || v === null) return undefined;
  const text = String(v);
  // Prometheus durations (model.ParseDuration) also accept a bare 0.
  if (text === '0') return '0s';
  if (!DURATION.test(text))
    throw new AlertmanagerConfigError(`${path}.${key}`, `${text} is not a duration like 30s, 5m`);
  return text;
}

function stringList(node: YamlMap, key: string, path: string): string[] {
  const v = node[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AlertmanagerConfigError(`${path}.${key}`, 'must be a list');
  return v.map(String);
}

function countRoutes(node: YamlMap): number {
  const routes = Array.isArray(node.routes) ? node.routes : [];
  return routes.reduce((n: number, r) => n + 1 + (isMap(r) ? countRoutes(r) : 0), 0);
}

function groupBy(ctx: ImportContext, node: YamlMap, path: string): string[] | undefined {
  const labels = stringList(node, 'group_by', path);
  if (labels.length === 0) return undefined;
  if (labels.includes('...')) {
    if (labels.length > 1) throw new AlertmanagerConfigError(`${path}.group_by`, '... must be the only entry');
    return ['...'];
  }
  const bad = labels.filter((l) => !LABEL_NAME.test(l));
  if (bad.length) ctx.skip(`${path}.group_by`, `label names ${bad.join(', ')} are not supported here; grouped without`);
  const kept = labels.filter((l) => LABEL_NAME.test(l));
  return kept.length ? kept : undefined;
}

function intervals(ctx: ImportContext, node: YamlMap, key: string, path: string, names: Names): string[] {
  return stringList(node, key, path).flatMap((amName) => {
    const ours = names.intervals.get(amName);
    if (ours === undefined)
      throw new AlertmanagerConfigError(`${path}.${key}`, `time interval ${JSON.stringify(amName)} is not defined`);
    if (ours.length === 0) ctx.skip(`${path}.${key}`, `time interval ${amName} was not carried over; left out here`);
    return ours;
  });
}

/** One node, or undefined when it is left out (a matcher we cannot evaluate: better absent than matching more). */
function convertNode(ctx: ImportContext, node: unknown, path: string, names: Names): Node | undefined {
  if (!isMap(node)) throw new AlertmanagerConfigError(path, 'a route must be a map');
  for (const key of Object.keys(node))
    if (!ROUTE_FIELDS.has(key)) ctx.skip(`${path}.${key}`, 'unknown route field, ignored');
  const m = convertMatchers(ctx, node, path, ROUTE_KEYS);
  if ('error' in m) {
    const children = countRoutes(node);
    const subtree = children ? ` and its ${children} child route${children === 1 ? '' : 's'}` : '';
    const why = m.error.startsWith(`${path}.`) ? m.error.slice(path.length + 1) : m.error;
    ctx.skip(path, `the route${subtree} ${children ? 'are' : 'is'} left out: ${why}`);
    return undefined;
  }
  const out: Node = {};
  if (node.receiver !== undefined && node.receiver !== null && node.receiver !== '') {
    const receiver = names.receivers.get(String(node.receiver));
    if (receiver === undefined)
      throw new AlertmanagerConfigError(`${path}.receiver`, `receiver ${JSON.stringify(node.receiver)} is not defined`);
    out.receiver = receiver;
  }
  if (m.matchers.length) out.matchers = m.matchers;
  if (node.continue === true) out.continue = true;
  const g = groupBy(ctx, node, path);
  if (g) out.groupBy = g;
  const groupWait = duration(node, 'group_wait', path);
  const groupInterval = duration(node, 'group_interval', path);
  const repeatInterval = duration(node, 'repeat_interval', path);
  if (groupWait) out.groupWait = groupWait;
  if (groupInterval) out.groupInterval = groupInterval;
  if (repeatInterval) out.repeatInterval = repeatInterval;
  const mute = intervals(ctx, node, 'mute_time_intervals', path, names);
  const active = intervals(ctx, node, 'active_time_intervals', path, names);
  if (mute.length) out.muteTimeIntervals = mute;
  if (active.length) out.activeTimeIntervals = active;
  const children = node.routes ?? [];
  if (!Array.isArray(children)) throw new AlertmanagerConfigError(`${path}.routes`, 'must be a list');
  const routes = children
    .map((c, i) => convertNode(ctx, c, `${path}.routes[${i}]`, names))
    .filter((c): c is Node => c !== undefined);
  if (routes.length) out.routes = routes as RouteNodeSpec[];
  return out;
}

/** The Route document named root; Alertmanager's own checks on the root apply (a receiver, no matchers). */
export function convertRoute(ctx: ImportContext, route: unknown, names: Names): void {
  if (route === undefined || route === null) throw new AlertmanagerConfigError('route', 'no route tree');
  const root = convertNode(ctx, route, 'route', names) as Node;
  if (!root.receiver) throw new AlertmanagerConfigError('route.receiver', 'the root route needs a default receiver');
  const parsed = RouteSpecSchema.safeParse(root);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AlertmanagerConfigError('route', `${issue?.path.join('.')}: ${issue?.message}`);
  }
  try {
    // The same checks as Alertmanager's config validation (root without matchers, non-zero intervals…).
    compileRouteTree(parsed.data);
  } catch (err) {
    if (err instanceof RouteError) throw new AlertmanagerConfigError('route', err.message);
    throw err;
  }
  ctx.add('route', 'Route', 'root', root as Record<string, unknown>);
}
