import { createHash } from 'node:crypto';
import { InputError } from '../platform/errors.js';
import { parseDuration, ROUTE_DEFAULTS, type RouteNodeSpec } from './config.model.js';
import { type Labels, type Matcher, MatcherError, matchesAll, parseMatcher } from './matchers.js';

/**
 * The routing tree, compiled from a Route spec with Alertmanager's semantics (docs: configuration →
 * <route>; code: dispatch/route.go). Compiling resolves inheritance once, so matching an alert is a
 * walk over matchers only.
 */

/** A route with everything inherited already filled in. */
export interface RouteNode {
  /** Position in the tree: `root`, `root.0`, `root.0.1`. Stable while the tree's shape is. */
  path: string;
  matchers: Matcher[];
  continue: boolean;
  receiver: string;
  groupBy: string[] | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  children: RouteNode[];
}

/** An invalid route tree; `path` names the field, e.g. `routes[0].routes[1].groupWait`. */
export class RouteError extends InputError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`, { code: 'invalid_route', fields: [{ path, message }] });
    this.path = path;
  }
}

type Inherited = Pick<RouteNode, 'receiver' | 'groupBy' | 'groupWaitMs' | 'groupIntervalMs' | 'repeatIntervalMs'>;

function field(specPath: string, name: string): string {
  return specPath ? `${specPath}.${name}` : name;
}

function duration(text: string | undefined, fallback: number, at: string, nonZero: boolean): number {
  if (text === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new RouteError(at, (err as Error).message);
  }
  // Alertmanager rejects zero group_interval and repeat_interval (config.go, Route.UnmarshalYAML).
  if (nonZero && ms === 0) throw new RouteError(at, 'cannot be zero');
  return ms;
}

function groupByOf(spec: RouteNodeSpec, parent: Inherited['groupBy'], at: string): Inherited['groupBy'] {
  // As Alertmanager: an absent (or empty) group_by inherits the parent's, because config.Route keeps
  // GroupBy nil for `[]` and NewRoute only overrides a non-nil list; `['...']` groups by all labels.
  if (spec.groupBy === undefined || spec.groupBy.length === 0) return parent;
  if (spec.groupBy.includes('...')) {
    if (spec.groupBy.length > 1) throw new RouteError(at, '... must be the only entry');
    return 'all';
  }
  const seen = new Set<string>();
  for (const l of spec.groupBy) {
    if (seen.has(l)) throw new RouteError(at, `duplicated label ${JSON.stringify(l)}`);
    seen.add(l);
  }
  return [...spec.groupBy];
}

function compileNode(spec: RouteNodeSpec, parent: Inherited, path: string, specPath: string): RouteNode {
  const matchers = spec.matchers.map((text, i) => {
    try {
      return parseMatcher(text);
    } catch (err) {
      if (err instanceof MatcherError) throw new RouteError(field(specPath, `matchers[${i}]`), err.message);
      throw err;
    }
  });
  // Inheritance as NewRoute in dispatch/route.go: receiver, group_by and the three timers come from
  // the parent unless set; matchers, continue and the time intervals belong to the node alone.
  const own: Inherited = {
    receiver: spec.receiver || parent.receiver,
    groupBy: groupByOf(spec, parent.groupBy, field(specPath, 'groupBy')),
    groupWaitMs: duration(spec.groupWait, parent.groupWaitMs, field(specPath, 'groupWait'), false),
    groupIntervalMs: duration(spec.groupInterval, parent.groupIntervalMs, field(specPath, 'groupInterval'), true),
    repeatIntervalMs: duration(spec.repeatInterval, parent.repeatIntervalMs, field(specPath, 'repeatInterval'), true),
  };
  return {
    path,
    matchers,
    continue: spec.continue,
    ...own,
    muteTimeIntervals: [...spec.muteTimeIntervals],
    activeTimeIntervals: [...spec.activeTimeIntervals],
    children: spec.routes.map((child, i) => compileNode(child, own, `${path}.${i}`, field(specPath, `routes[${i}]`))),
  };
}

/**
 * Compiles a route tree. The root takes its defaults from ROUTE_DEFAULTS and, as Alertmanager's
 * config validation requires, must name a receiver and must not have matchers, continue or time
 * intervals (it is the fallback for every alert).
 */
export function compileRouteTree(spec: RouteNodeSpec): RouteNode {
  if (!spec.receiver) throw new RouteError('receiver', 'the root route must name a default receiver');
  if (spec.matchers.length > 0) throw new RouteError('matchers', 'the root route must not have matchers');
  if (spec.continue) throw new RouteError('continue', 'the root route cannot have continue');
  if (spec.muteTimeIntervals.length > 0) {
    throw new RouteError('muteTimeIntervals', 'the root route must not have mute time intervals');
  }
  if (spec.activeTimeIntervals.length > 0) {
    throw new RouteError('activeTimeIntervals', 'the root route must not have active time intervals');
  }
  const defaults: Inherited = {
    receiver: spec.receiver,
    groupBy: [...ROUTE_DEFAULTS.groupBy],
    groupWaitMs: parseDuration(ROUTE_DEFAULTS.groupWait),
    groupIntervalMs: parseDuration(ROUTE_DEFAULTS.groupInterval),
    repeatIntervalMs: parseDuration(ROUTE_DEFAULTS.repeatInterval),
  };
  return compileNode(spec, defaults, 'root', '');
}

function matchNode(node: RouteNode, labels: Labels, out: RouteNode[]): boolean {
  if (!matchesAll(node.matchers, labels)) return false;
  let matched = false;
  // Route.Match in dispatch/route.go: depth-first, left to right; the first matching child ends the
  // search unless it has continue; a node none of whose children match is itself the match.
  for (const child of node.children) {
    if (matchNode(child, labels, out)) {
      matched = true;
      if (!child.continue) break;
    }
  }
  if (!matched) out.push(node);
  return true;
}

/** The routes an alert goes to, in tree order; never empty, since the root matches everything. */
export function matchRoutes(root: RouteNode, labels: Labels): RouteNode[] {
  const out: RouteNode[] = [];
  if (!matchNode(root, labels, out)) out.push(root);
  return out;
}

/** The alert's labels named by the route's group_by (all of them for `...`); absent ones are left out. */
export function groupLabelsOf(route: RouteNode, labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  if (route.groupBy === 'all') {
    for (const [k, v] of Object.entries(labels)) out[k] = v;
    return out;
  }
  // As getGroupLabels in dispatch/dispatch.go: a missing label is not part of the group, so alerts
  // with and without it fall in different groups only by the labels they do have.
  for (const name of route.groupBy) {
    const v = labels[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The aggregation group's identity: the route's position and its group labels, hashed. */
export function groupKeyOf(route: RouteNode, labels: Labels): string {
  const entries = Object.entries(groupLabelsOf(route, labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // JSON of [path, pairs] cannot be confused across boundaries the way joined strings could.
  return createHash('sha256')
    .update(JSON.stringify([route.path, entries]))
    .digest('hex')
    .slice(0, 24);
}

function walk(node: RouteNode, visit: (n: RouteNode) => void): void {
  visit(node);
  for (const c of node.children) walk(c, visit);
}

/** Every receiver the tree names, once each, in tree order. */
export function receiversOf(root: RouteNode): string[] {
  const names = new Set<string>();
  walk(root, (n) => names.add(n.receiver));
  return [...names];
}

/** Every time interval the tree names (mute and active), once each, in tree order. */
export function timeIntervalsOf(root: RouteNode): string[] {
  const names = new Set<string>();
  walk(root, (n) => {
    for (const t of n.muteTimeIntervals) names.add(t);
    for (const t of n.activeTimeIntervals) names.add(t);
  });
  return [...names];
}
