import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { shardOf } from '../../src/platform/cluster/cluster.model.js';
import { request, type SqlHandle, type Urls } from '../crash/support.js';

/**
 * Pieces of the three-instance test (cluster.process.test.ts) that the crash test's support
 * (test/crash/support.ts) does not have: a check target that keeps the time of every hit per path
 * (to count runs per interval and see a killed instance's checks run again), and looks at the
 * cluster's tables (shard owners, the tasks an instance's queue worker held).
 */

/** The target of the many steady checks: every hit's time by path, always 200. */
export async function startHitTarget() {
  const hits = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '').split('?')[0] ?? '';
    const list = hits.get(p) ?? [];
    list.push(Date.now());
    hits.set(p, list);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    req.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Hits on `path` in [from, to). */
    between: (path: string, from: number, to: number) =>
      (hits.get(path) ?? []).filter((t) => t >= from && t < to).length,
    /** Whether `path` was hit after `t`. */
    hitAfter: (path: string, t: number) => (hits.get(path) ?? []).some((h) => h > t),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
export type HitTarget = Awaited<ReturnType<typeof startHitTarget>>;

/** The owner of every shard lease, sorted by owner ('-' for a free one), and how many each holds. */
export async function shardOwners(db: SqlHandle): Promise<Array<{ owner: string; shards: number[] }>> {
  const rows = await db.all('select shard, owner from cluster_shards order by shard');
  const by = new Map<string, number[]>();
  for (const r of rows) by.set(r.owner ?? '-', [...(by.get(r.owner ?? '-') ?? []), Number(r.shard)]);
  return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([owner, shards]) => ({ owner, shards }));
}

/** Polls `shardOwners` until the owners are exactly `names` (every shard held); the ms it took, or undefined. */
export async function waitForOwners(db: SqlHandle, names: string[], timeoutMs: number): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const owners = (await shardOwners(db)).map((o) => o.owner);
    if (owners.join() === names.join()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

/** Names of the checks (among `names`) whose shard `owner` holds: the ones that move when it dies. */
export async function checksOf(db: SqlHandle, owner: string, names: readonly string[]): Promise<string[]> {
  const mine = new Set(
    (await db.all('select shard from cluster_shards where owner = ?', [owner])).map((r) => Number(r.shard)),
  );
  const wanted = new Set(names);
  return (await db.all('select id, name from checks'))
    .filter((r) => wanted.has(r.name) && mine.has(shardOf(r.id)))
    .map((r) => r.name as string);
}

/**
 * Tasks a process's queue worker held under an unexpired lease at `now` (its lease owner is
 * `host:pid:random`): what it had in flight when it was killed.
 */
export async function tasksHeldBy(db: SqlHandle, pid: number, now = Date.now()) {
  const rows = await db.all(
    "select id, kind from queue_tasks where state = 'pending' and lease_owner like ? and lease_expires_at > ?",
    [`%:${pid}:%`, now],
  );
  return rows.map((r) => ({ id: r.id as string, kind: r.kind as string }));
}

/** When each task finished (epoch ms), or its state when it has not. */
export async function fates(db: SqlHandle, ids: readonly string[]): Promise<Map<string, number | string>> {
  const out = new Map<string, number | string>();
  for (const id of ids) {
    const r = (await db.all('select state, finished_at from queue_tasks where id = ?', [id]))[0];
    out.set(id, !r ? 'deleted' : r.state === 'done' ? Number(r.finished_at) : String(r.state));
  }
  return out;
}

/**
 * The long-lived incidents of the crash scenario (sticky PagerDuty keys and the check failing
 * throughout): how many are open, acknowledged, escalated to level 2, ack timeouts, and when they
 * last opened or were acknowledged (as test/crash/crash.process.test.ts follows them).
 */
export async function stickyIncidents(db: SqlHandle) {
  const rows = await db.all(
    "select i.labels_json, i.service, i.created_at, i.acknowledged_at, (select count(*) from incident_escalation_steps s where s.incident_id = i.id and s.level = 1) as escalated, (select count(*) from incident_timeline t where t.incident_id = i.id and t.type = 'ack.timeout') as timeouts from incidents i",
  );
  const tag = (r: (typeof rows)[number]) => String(JSON.parse(r.labels_json).group ?? r.service ?? '');
  const mine = rows.filter((r) => tag(r).startsWith('sticky'));
  return {
    open: mine.length,
    acked: mine.filter((r) => r.acknowledged_at !== null).length,
    escalated: mine.filter((r) => Number(r.escalated) > 0).length,
    ackTimeouts: mine.reduce((sum, r) => sum + Number(r.timeouts), 0),
    lastChangeAt: Math.max(0, ...mine.flatMap((r) => [Number(r.created_at), Number(r.acknowledged_at ?? 0)])),
    /** Each one's tag, when it opened and when it was acknowledged (epoch ms). */
    each: mine.map((r) => ({
      tag: tag(r),
      createdAt: Number(r.created_at),
      acknowledgedAt: r.acknowledged_at === null ? undefined : Number(r.acknowledged_at),
    })),
  };
}

/** An API call that must succeed (2xx); its JSON body. */
export async function must(base: string, method: string, p: string, token: string, body?: unknown) {
  const a = await request(base, method, p, { token, ...(body === undefined ? {} : { body }) });
  if (a instanceof Error || a.status >= 300)
    throw new Error(
      `${method} ${base}${p}: ${a instanceof Error ? a.message : `${a.status} ${JSON.stringify(a.body)}`}`,
    );
  return a.body;
}

/** One document of a POST /api/v1/apply body. */
export const applyDoc = (kind: string, name: string, spec: unknown) => ({
  source: 'cluster-test',
  document: { apiVersion: 'mainstay/v1', kind, metadata: { name }, spec },
});

/**
 * Runs of each check (by name, its target path `/name`) in [from, to): a line for the log, and a
 * problem when one ran more than `max` or fewer than `min` times.
 */
export function perInterval(
  hits: HitTarget,
  names: readonly string[],
  intervalSeconds: number,
  what: string,
  from: number,
  to: number,
  min: number,
  max: number,
) {
  const counts = names.map((n) => hits.between(`/${n}`, from, to));
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const line = `${what}: ${lo}–${hi} runs per check in ${((to - from) / 1000).toFixed(1)} s (interval ${intervalSeconds} s)`;
  const problems = hi > max || lo < min ? [`${line}, expected ${min}–${max}: ${counts.join(',')}`] : [];
  return { line, problems };
}

/**
 * Pings a heartbeat every 1.5 s through each live instance in turn; a ping cut by a kill or a stop
 * is sent again at once to the next instance. `stop` ends it and tells how many went out.
 */
export function startPinger(urls: Urls, pingPath: string) {
  let running = true;
  let pings = 0;
  let pingsLost = 0;
  const loop = (async () => {
    while (running) {
      const live = urls();
      const base = live[pings++ % Math.max(1, live.length)];
      const r = base ? await request(base, 'GET', pingPath, { timeoutMs: 3_000 }) : new Error('none up');
      if (r instanceof Error || r.status >= 300) {
        pingsLost++;
        await new Promise((res) => setTimeout(res, 100));
      } else await new Promise((res) => setTimeout(res, 1_500));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { pings, pingsLost };
    },
  };
}
export type Pinger = ReturnType<typeof startPinger>;
