import { describe, expect, it } from 'vitest';
import { type RouteNodeSpec, RouteSpecSchema } from '../config.model.js';
import {
  compileRouteTree,
  groupKeyOf,
  groupLabelsOf,
  matchRoutes,
  RouteError,
  type RouteNode,
  receiversOf,
  timeIntervalsOf,
} from '../routing.js';

const tree = (spec: unknown): RouteNode => compileRouteTree(RouteSpecSchema.parse(spec));

/** Schema defaults without the schema's checks, to reach the compiler's own errors. */
type Loose = Partial<Omit<RouteNodeSpec, 'routes'>> & { routes?: Loose[] };
const fill = (s: Loose): RouteNodeSpec => ({
  matchers: [],
  continue: false,
  muteTimeIntervals: [],
  activeTimeIntervals: [],
  ...s,
  routes: (s.routes ?? []).map(fill),
});

/** The route tree of Alertmanager's doc/examples/simple.yml (shared/conformance/alertmanager/simple.yml). */
const simple = tree({
  groupBy: ['alertname', 'cluster', 'service'],
  groupWait: '30s',
  groupInterval: '5m',
  repeatInterval: '3h',
  receiver: 'team-X-mails',
  routes: [
    {
      matchers: ['service=~"foo1|foo2|baz"'],
      receiver: 'team-X-mails',
      routes: [{ matchers: ['severity="critical"'], receiver: 'team-X-pager' }],
    },
    {
      matchers: ['service="files"'],
      receiver: 'team-Y-mails',
      routes: [{ matchers: ['severity="critical"'], receiver: 'team-Y-pager' }],
    },
    {
      matchers: ['service="database"'],
      receiver: 'team-DB-pager',
      groupBy: ['alertname', 'cluster', 'database'],
      routes: [
        { matchers: ['owner="team-X"'], receiver: 'team-X-pager', continue: true },
        { matchers: ['owner="team-Y"'], receiver: 'team-Y-pager' },
      ],
    },
  ],
});

const routed = (root: RouteNode, labels: Record<string, string>) =>
  matchRoutes(root, labels).map((r) => `${r.path}:${r.receiver}`);

describe('matchRoutes on the simple.yml tree', () => {
  it.each([
    [
      'a critical foo1 alert goes to the team X pager',
      { service: 'foo1', severity: 'critical' },
      ['root.0.0:team-X-pager'],
    ],
    [
      'a non-critical foo2 alert falls back to its parent route',
      { service: 'foo2', severity: 'warning' },
      ['root.0:team-X-mails'],
    ],
    ['regexes are anchored: "foo" does not match foo1|foo2|baz', { service: 'foo' }, ['root:team-X-mails']],
    ['regexes are anchored: "xfoo1" does not match either', { service: 'xfoo1' }, ['root:team-X-mails']],
    [
      'a critical files alert goes to the team Y pager',
      { service: 'files', severity: 'critical' },
      ['root.1.0:team-Y-pager'],
    ],
    ['a files alert without severity stays on team Y mails', { service: 'files' }, ['root.1:team-Y-mails']],
    [
      'continue: true with no later sibling matching gives one route',
      { service: 'database', owner: 'team-X' },
      ['root.2.0:team-X-pager'],
    ],
    ['the second database child matches team Y', { service: 'database', owner: 'team-Y' }, ['root.2.1:team-Y-pager']],
    [
      'a database alert without owner goes to the DB pager',
      { service: 'database', owner: 'team-Z' },
      ['root.2:team-DB-pager'],
    ],
    ['an alert matching no route goes to the root', { alertname: 'x' }, ['root:team-X-mails']],
    ['an empty label set goes to the root', {}, ['root:team-X-mails']],
  ])('%s', (_name, labels, expected) => {
    expect(routed(simple, labels)).toEqual(expected);
  });

  it('inherits group_by and repeat_interval down the tree, and a child group_by overrides', () => {
    const [db, dbX] = [simple.children[2], simple.children[2]?.children[0]];
    expect(simple.children[0]?.children[0]?.groupBy).toEqual(['alertname', 'cluster', 'service']);
    expect(db?.groupBy).toEqual(['alertname', 'cluster', 'database']);
    expect(dbX?.groupBy).toEqual(['alertname', 'cluster', 'database']);
    expect(dbX?.repeatIntervalMs).toBe(3 * 3_600_000);
    expect(dbX?.groupWaitMs).toBe(30_000);
  });
});

describe('matchRoutes semantics from the Alertmanager docs', () => {
  const cont = tree({
    receiver: 'default',
    routes: [
      { matchers: ['team="x"'], receiver: 'a', continue: true },
      { matchers: ['severity="critical"'], receiver: 'b' },
      { matchers: ['team="x"'], receiver: 'c' },
    ],
  });

  it.each([
    [
      'continue: true lets the next matching sibling match too',
      { team: 'x', severity: 'critical' },
      ['root.0:a', 'root.1:b'],
    ],
    ['matching stops at the first sibling without continue', { team: 'x' }, ['root.0:a', 'root.2:c']],
    ['a later sibling alone', { severity: 'critical' }, ['root.1:b']],
  ])('%s', (_name, labels, expected) => {
    expect(routed(cont, labels)).toEqual(expected);
  });

  const neg = tree({
    receiver: 'default',
    routes: [
      { matchers: ['env!="prod"', 'env!~"staging|qa"'], receiver: 'dev' },
      { matchers: ['owner=""'], receiver: 'unowned' },
      { matchers: ['zone=~".+"'], receiver: 'zoned' },
      { matchers: ['anything=~".*"'], receiver: 'catch-all' },
    ],
  });

  it.each([
    ['negative matchers match an alert with another value', { env: 'dev' }, ['root.0:dev']],
    ['a negative matcher matches a missing label (read as "")', { owner: 'me' }, ['root.0:dev']],
    ['a negative equality fails on the excluded value', { env: 'prod', owner: 'me', zone: 'a' }, ['root.2:zoned']],
    ['a negative regex fails on a value it matches', { env: 'qa', owner: 'me', zone: 'b' }, ['root.2:zoned']],
    ['name="" matches an alert without the label', { env: 'prod' }, ['root.1:unowned']],
    ['=~".+" does not match a missing label, =~".*" does', { env: 'prod', owner: 'me' }, ['root.3:catch-all']],
  ])('%s', (_name, labels, expected) => {
    expect(routed(neg, labels)).toEqual(expected);
  });

  it('a matched child whose own children do not match is the match (nested fallback to the parent)', () => {
    const t = tree({
      receiver: 'r',
      routes: [{ matchers: ['a="1"'], routes: [{ matchers: ['b="1"'], routes: [{ matchers: ['c="1"'] }] }] }],
    });
    expect(matchRoutes(t, { a: '1', b: '1', c: '2' }).map((r) => r.path)).toEqual(['root.0.0']);
    expect(matchRoutes(t, { a: '1', b: '1', c: '1' }).map((r) => r.path)).toEqual(['root.0.0.0']);
  });
});

describe('compileRouteTree inheritance', () => {
  const t = tree({
    receiver: 'root-r',
    routes: [
      {
        matchers: ['a="1"'],
        receiver: 'child-r',
        groupWait: '1m',
        groupBy: ['...'],
        muteTimeIntervals: ['nights'],
        activeTimeIntervals: ['weekdays'],
        continue: true,
        routes: [{ matchers: ['b="1"'] }, { matchers: ['b="2"'], groupBy: ['b'], repeatInterval: '1d' }],
      },
      { matchers: ['a="2"'], groupBy: [] },
    ],
  });
  const [child, other] = t.children as [RouteNode, RouteNode];
  const [grand, grand2] = child.children as [RouteNode, RouteNode];

  it('the root takes Alertmanager defaults (30s, 5m, 4h, no group_by)', () => {
    expect(t).toMatchObject({
      groupBy: [],
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
    });
  });
  it('a child without receiver or timers inherits them from its parent', () => {
    expect(grand).toMatchObject({ receiver: 'child-r', groupWaitMs: 60_000, groupIntervalMs: 300_000, groupBy: 'all' });
  });
  it('a grandchild overrides only what it sets', () => {
    expect(grand2).toMatchObject({
      receiver: 'child-r',
      groupWaitMs: 60_000,
      groupBy: ['b'],
      repeatIntervalMs: 86_400_000,
    });
  });
  it('matchers, continue and time intervals are not inherited', () => {
    expect(grand.matchers.map((m) => m.name)).toEqual(['b']);
    expect(grand.continue).toBe(false);
    expect(grand.muteTimeIntervals).toEqual([]);
    expect(grand.activeTimeIntervals).toEqual([]);
    expect(child.muteTimeIntervals).toEqual(['nights']);
  });
  it('an empty group_by inherits the parent, as Alertmanager (it keeps GroupBy nil for [])', () => {
    expect(other.groupBy).toEqual([]);
    const t2 = tree({ receiver: 'r', groupBy: ['x'], routes: [{ matchers: ['a="1"'], groupBy: [] }] });
    expect(t2.children[0]?.groupBy).toEqual(['x']);
  });
  it('paths are stable position ids', () => {
    expect([t.path, child.path, grand.path, grand2.path, other.path]).toEqual([
      'root',
      'root.0',
      'root.0.0',
      'root.0.1',
      'root.1',
    ]);
  });
});

describe('compileRouteTree errors', () => {
  it.each([
    ['the root has no receiver', { routes: [{ receiver: 'x' }] }, 'receiver'],
    ['the root has matchers', { receiver: 'r', matchers: ['a="1"'] }, 'matchers'],
    ['the root has continue', { receiver: 'r', continue: true }, 'continue'],
    ['the root has mute time intervals', { receiver: 'r', muteTimeIntervals: ['n'] }, 'muteTimeIntervals'],
    ['the root has active time intervals', { receiver: 'r', activeTimeIntervals: ['n'] }, 'activeTimeIntervals'],
    [
      'a nested matcher is invalid',
      { receiver: 'r', routes: [{}, { routes: [{}, { matchers: ['a=~"("'] }] }] },
      'routes[1].routes[1].matchers[0]',
    ],
    ['a repeat interval is zero', { receiver: 'r', routes: [{ repeatInterval: '0s' }] }, 'routes[0].repeatInterval'],
    ['a group interval is zero', { receiver: 'r', groupInterval: '0m' }, 'groupInterval'],
    ['group_by names a label twice', { receiver: 'r', routes: [{ groupBy: ['a', 'a'] }] }, 'routes[0].groupBy'],
  ])('throws RouteError with the field path when %s', (_name, spec: Loose, path) => {
    const err = (() => {
      try {
        compileRouteTree(fill(spec));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RouteError);
    expect((err as RouteError).path).toBe(path);
    expect((err as RouteError).fields).toEqual([{ path, message: expect.any(String) }]);
  });

  it('a zero group_wait is allowed (send at once)', () => {
    expect(tree({ receiver: 'r', groupWait: '0s' }).groupWaitMs).toBe(0);
  });
});

describe('group labels and keys', () => {
  const db = simple.children[2] as RouteNode;
  const alert = { alertname: 'DiskFull', cluster: 'eu1', service: 'database', database: 'orders', instance: 'db1' };

  it('group labels are the group_by labels present on the alert', () => {
    expect(groupLabelsOf(db, alert)).toEqual({ alertname: 'DiskFull', cluster: 'eu1', database: 'orders' });
  });
  it('absent group_by labels are left out', () => {
    expect(groupLabelsOf(db, { alertname: 'DiskFull' })).toEqual({ alertname: 'DiskFull' });
  });
  it("group_by ['...'] groups by every label", () => {
    const all = tree({ receiver: 'r', groupBy: ['...'] });
    expect(groupLabelsOf(all, alert)).toEqual(alert);
  });
  it('no group_by puts every alert of the route in one group', () => {
    const none = tree({ receiver: 'r' });
    expect(groupLabelsOf(none, alert)).toEqual({});
    expect(groupKeyOf(none, alert)).toBe(groupKeyOf(none, { other: 'x' }));
  });
  it('the key is 24 hex characters and ignores label order and labels outside group_by', () => {
    const key = groupKeyOf(db, alert);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    const reordered = Object.fromEntries(Object.entries({ ...alert, instance: 'db2' }).reverse());
    expect(groupKeyOf(db, reordered)).toBe(key);
  });
  it('the key differs by group label value and by route', () => {
    expect(groupKeyOf(db, { ...alert, cluster: 'us1' })).not.toBe(groupKeyOf(db, alert));
    expect(groupKeyOf(simple.children[0] as RouteNode, alert)).not.toBe(
      groupKeyOf(simple.children[1] as RouteNode, alert),
    );
  });
  it('a missing label and an empty one make different groups, as in Alertmanager', () => {
    expect(groupKeyOf(db, { alertname: 'A' })).not.toBe(groupKeyOf(db, { alertname: 'A', cluster: '' }));
  });
});

describe('tree inventories', () => {
  it('receiversOf lists every receiver once, in tree order', () => {
    expect(receiversOf(simple)).toEqual([
      'team-X-mails',
      'team-X-pager',
      'team-Y-mails',
      'team-Y-pager',
      'team-DB-pager',
    ]);
  });
  it('timeIntervalsOf lists mute and active intervals once each', () => {
    const t = tree({
      receiver: 'r',
      routes: [
        { muteTimeIntervals: ['nights', 'weekends'] },
        { activeTimeIntervals: ['office'], routes: [{ muteTimeIntervals: ['nights'] }] },
      ],
    });
    expect(timeIntervalsOf(t)).toEqual(['nights', 'weekends', 'office']);
    expect(timeIntervalsOf(simple)).toEqual([]);
  });
});
