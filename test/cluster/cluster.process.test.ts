import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  BUILT,
  checkAllInvariants,
  createPgSchema,
  diagnose,
  freePort,
  LoadDriver,
  openPostgres,
  ROOT,
  ServeProcess,
  type SqlHandle,
  seededRandom,
  settle,
  setUpScenario,
  snapshotQueue,
  startCheckTarget,
  startWebhookReceiver,
  testSeed,
} from '../crash/support.js';
import { POSTGRES_URL } from '../support/engines.js';
import {
  checksOf,
  applyDoc as doc,
  fates,
  must,
  type Pinger,
  perInterval,
  shardOwners,
  startHitTarget,
  startPinger,
  stickyIncidents,
  tasksHeldBy,
  waitForOwners,
} from './support.js';

/**
 * Three `mainstay serve` processes on one PostgreSQL schema (issue 6, "Two or more instances on one
 * PostgreSQL"), under the crash test's load (PagerDuty events, Alertmanager groups, checks failing
 * and recovering, incident acks, sent to any live instance): two start together, the third joins
 * under load, then one is killed with SIGKILL mid-load and restarted under the same instance id while
 * the load goes on. Checks:
 *
 * - each check runs once per interval (not once per instance), before the kill, after the takeover
 *   and after the restarted instance took its share back; any instance serves the API;
 * - the killed instance's checks run again on the others within the lease (measured, bounded), and
 *   the tasks its queue worker held are finished by the others once their queue lease runs out;
 * - a heartbeat pinged through every live instance in turn never goes down;
 * - the crash invariants, with test/crash's checks: every event answered 2xx stored, no incident
 *   duplicated, every group notified firing notified resolved, every notification delivered at
 *   least once (duplicates share a key, counted), every escalation step / ack timeout / group flush
 *   scheduled before the kill run after it once, and amcheck plus the logical integrity checks.
 *
 * Why ~90 s: the escalation policy's levels and ack timeout are whole minutes, so a step scheduled
 * before the kill comes due a minute after the long-lived incidents open; the third instance's start,
 * the kill, the takeover, the restart and the once-per-interval windows all happen inside that minute.
 * CRASH_TEST_SEED replays the load's random choices (a real process's timing is not replayable).
 */

const LEASE_SECONDS = 4;
const INTERVAL = 5;
const STEADY_CHECKS = 48;
const seed = testSeed();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function clusterRun(runSeed: number, log: (line: string) => void): Promise<string[]> {
  const rng = seededRandom(runSeed);
  const problems: string[] = [];
  const hook = await startWebhookReceiver({ random: rng.fork(), failRate: 0.08, maxDelayMs: 150 });
  const target = await startCheckTarget();
  const hits = await startHitTarget();
  // Named t_<run>_… so the run's global teardown drops it; never dropped here (other files
  // introspect schemas meanwhile).
  const pg = await createPgSchema(POSTGRES_URL as string);
  const instances: ServeProcess[] = [];
  for (const name of ['a', 'b', 'c'])
    instances.push(
      new ServeProcess({
        name,
        port: await freePort(),
        dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `mainstay-cluster-${name}-`)),
        databaseUrl: pg.databaseUrl,
        env: { MAINSTAY_INSTANCE_ID: name, MAINSTAY_CLUSTER_LEASE_SECONDS: String(LEASE_SECONDS) },
      }),
    );
  const [a, b, c] = instances as [ServeProcess, ServeProcess, ServeProcess];
  const down = new Set<ServeProcess>();
  const urls = () => instances.filter((i) => !down.has(i)).map((i) => i.url);
  let db: SqlHandle | undefined;
  let load: LoadDriver | undefined;
  let pinger: Pinger | undefined;
  try {
    const t0 = Date.now();
    // a and b start together (the migrations' lock and the first admin's unique email keep that
    // safe); c joins later, under load, while the long-lived incidents' minute runs.
    down.add(c);
    await Promise.all([a.start(60_000), b.start(60_000)]);
    db = await openPostgres(POSTGRES_URL as string, pg.schema);
    log(`a and b up in ${Date.now() - t0} ms (schema ${pg.schema})`);

    // Any instance serves the API: the token from a, the scenario through b, more checks through c.
    const token = await adminToken(a.url);
    // The scenario's check that fails throughout fails from its first run: its incident opens (and
    // escalates a minute later) as early as the others.
    target.set('/sticky-check', true);
    const spec = await setUpScenario(b.url, token, hook.url, target.url);
    const cStart = Date.now();
    const cUp = c.start(60_000).then(
      () => {
        down.delete(c);
        return Date.now() - cStart;
      },
      (err: Error) => err,
    );
    load = new LoadDriver(urls, spec, target, rng.fork());
    const loadStart = Date.now();
    const since = () => `+${((Date.now() - loadStart) / 1000).toFixed(1)} s`;
    await load.start();
    const cMs = await cUp;
    if (cMs instanceof Error) throw cMs;
    log(`c joined under load at ${since()} (up in ${cMs} ms)`);

    const steady = Array.from({ length: STEADY_CHECKS }, (_, i) => `steady-${i}`);
    await must(c.url, 'POST', '/api/v1/apply', token, {
      documents: [
        ...steady.map((name) =>
          doc('Check', name, {
            kind: 'http',
            intervalSeconds: INTERVAL,
            timeoutSeconds: 2,
            target: { url: `${hits.url}/${name}` },
          }),
        ),
        // Pinged through every instance in turn: whichever runs its deadline must see the others' pings.
        doc('Check', 'nightly-job', { kind: 'heartbeat', target: { periodSeconds: 5, graceSeconds: 2 } }),
      ],
    });
    const pingPath = (await must(a.url, 'GET', '/api/v1/checks/nightly-job', token)).pingPath as string;
    pinger = startPinger(urls, pingPath);
    const allChecks = 3 + STEADY_CHECKS + 1;
    const listsAll = async (i: ServeProcess) => {
      for (let t = Date.now(); Date.now() - t < 10_000; await sleep(250)) {
        const list = await must(i.url, 'GET', '/api/v1/checks?limit=200', token);
        if (list.items.length === allChecks) return true;
      }
      return false;
    };
    for (const i of instances)
      if (!(await listsAll(i))) problems.push(`${i.o.name} does not list all ${allChecks} checks`);
    const splitMs = await waitForOwners(db, ['a', 'b', 'c'], 10_000);
    if (splitMs === undefined)
      throw new Error(`shards not split over a, b, c: ${JSON.stringify(await shardOwners(db))}`);
    log(`every instance lists all ${allChecks} checks; shards split over a, b, c at ${since()}`);

    // Steady state under load: each check once per interval, not once per instance.
    const w0 = Date.now();
    await sleep(3 * INTERVAL * 1000);
    const before = perInterval(hits, steady, INTERVAL, 'before the kill', w0, Date.now(), 2, 4);
    log(before.line);
    problems.push(...before.problems);
    // The long-lived incidents opened (one acknowledged) before the kill: their next level and ack
    // timeout are scheduled before it and come due a minute later.
    let s = await stickyIncidents(db);
    while ((s.open < 3 || s.acked < 1) && Date.now() - loadStart < 45_000) {
      await sleep(200);
      s = await stickyIncidents(db);
    }
    const at = (t: number) => `+${((t - loadStart) / 1000).toFixed(1)} s`;
    log(
      `long-lived incidents: ${s.each.map((i) => `${i.tag} opened ${at(i.createdAt)}${i.acknowledgedAt ? `, acknowledged ${at(i.acknowledgedAt)}` : ''}`).join('; ')}`,
    );

    // kill -9 of b mid-load.
    const orphaned = await checksOf(db, 'b', steady);
    if (!orphaned.length) throw new Error('b ran none of the steady checks');
    // Killed while its queue worker holds a task when one comes within a few seconds (the common
    // case under this load), so the others must take over claimed work too, not only due work.
    const bPid = b.pid as number;
    for (let t = Date.now(); Date.now() - t < 4_000 && !(await tasksHeldBy(db, bPid)).length; ) await sleep(20);
    await b.kill9();
    const killedAt = Date.now();
    down.add(b);
    const snapshot = await snapshotQueue(db, killedAt);
    const held = await tasksHeldBy(db, bPid, killedAt);
    const kinds = (list: Array<{ kind: string }>) => {
      const by = new Map<string, number>();
      for (const t of list) by.set(t.kind, (by.get(t.kind) ?? 0) + 1);
      return [...by].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    };
    log(
      `kill -9 of b at ${since()}: ${snapshot.pending.length} tasks pending (${kinds(snapshot.pending)}); b held ${held.length} (${kinds(held)})`,
    );

    // Takeover: every steady check b ran runs again on a or c.
    let takeoverMs: number | undefined;
    while (Date.now() - killedAt < 40_000) {
      await sleep(250);
      if (orphaned.every((n) => hits.hitAfter(`/${n}`, killedAt + 1))) {
        takeoverMs = Date.now() - killedAt;
        break;
      }
    }
    if (takeoverMs === undefined) throw new Error(`b's ${orphaned.length} checks were never taken over`);
    log(
      `takeover: b's ${orphaned.length} checks ran again on a/c ${takeoverMs} ms after the kill (lease ${LEASE_SECONDS} s)`,
    );
    // The bound: lease + one renewal + one check interval (the check's next slot), plus slack.
    const bound = (LEASE_SECONDS + 1 + INTERVAL) * 1000 + 2_000;
    if (takeoverMs > bound) problems.push(`takeover took ${takeoverMs} ms, more than ${bound} ms`);
    if ((await waitForOwners(db, ['a', 'c'], 5_000)) === undefined)
      problems.push(`after the takeover the shards are held by ${JSON.stringify(await shardOwners(db))}`);
    // b back under its own name, booting while the others run its checks: it takes its share back
    // and serves the API again.
    const restartAt = Date.now();
    const bUp = b.start(60_000).then(
      () => {
        down.delete(b);
        return Date.now() - restartAt;
      },
      (err: Error) => err,
    );
    const s0 = Date.now();
    await sleep(2 * INTERVAL * 1000);
    const afterKill = perInterval(hits, steady, INTERVAL, 'after the takeover (b booting)', s0, Date.now(), 1, 3);
    log(afterKill.line);
    problems.push(...afterKill.problems);
    const startMs = await bUp;
    if (startMs instanceof Error) throw startMs;
    const rebalanceMs = await waitForOwners(db, ['a', 'b', 'c'], 15_000);
    log(
      `b restarted at ${since()} (up in ${startMs} ms); shards split over a, b, c again ${rebalanceMs ?? 'more than 15000'} ms later`,
    );
    if (rebalanceMs === undefined)
      problems.push(`b never got its share back: ${JSON.stringify(await shardOwners(db))}`);
    if (!(await listsAll(b))) problems.push('restarted b does not list every check');
    const r0 = Date.now();
    await sleep(2 * INTERVAL * 1000);
    const afterRestart = perInterval(hits, steady, INTERVAL, 'after the restart', r0, Date.now(), 1, 3);
    log(afterRestart.line);
    problems.push(...afterRestart.problems);

    // A lighter load until the long-lived incidents escalated and the acknowledged one timed out:
    // both scheduled before the kill.
    load.pace = 2;
    s = await stickyIncidents(db);
    const holdUntil = () => Math.max(loadStart + 65_000, s.lastChangeAt + 70_000);
    while ((s.escalated < 2 || s.ackTimeouts < 1) && Date.now() < Math.min(holdUntil(), loadStart + 110_000)) {
      await sleep(500);
      s = await stickyIncidents(db);
    }
    log(`held until ${since()}: ${s.escalated} long-lived incidents escalated, ${s.ackTimeouts} ack timeout(s)`);
    if (s.escalated < 2) problems.push(`only ${s.escalated} long-lived incidents escalated to level 2 (2 expected)`);
    if (s.ackTimeouts < 1) problems.push('the acknowledged long-lived incident never timed out');
    await load.stop();
    await load.resolveAll();
    log(`load: ${load.summary()}`);

    const settled = await settle(db, 45_000, (left) => log(`settling: ${left.join(', ')}`));
    log(
      `settled at ${since()} in ${settled.ms} ms${settled.left.length ? `, still left: ${settled.left.join(', ')}` : ''}`,
    );
    if (settled.left.length) {
      problems.push(`work never drained: ${settled.left.join(', ')}`);
      for (const line of await diagnose(db)) log(line);
      for (const i of instances) log(`${i.o.name} output:\n${i.tail(20)}`);
    }
    // Pinged until every instance stopped: a stopping instance hands its checks to the others.
    const exits = await Promise.all(instances.map((i) => i.stop()));
    const { pings, pingsLost } = await pinger.stop();
    log(`all three stopped at ${since()}`);
    exits.forEach((code, j) => {
      const i = instances[j] as ServeProcess;
      if (code !== 0) problems.push(`${i.o.name}: graceful stop exited with ${code}:\n${i.tail()}`);
    });
    const heartbeatDown = await db.all(
      "select e.at, e.message from check_events e join checks c on c.id = e.check_id where c.name = 'nightly-job' and e.type = 'down'",
    );
    log(
      `heartbeat: ${pings} pings through every live instance (${pingsLost} cut and sent again), ${heartbeatDown.length} down`,
    );
    if (heartbeatDown.length)
      problems.push(`the heartbeat pinged every 1.5 s went down: ${JSON.stringify(heartbeatDown.slice(0, 3))}`);

    // What b held when it died, and what was scheduled before the kill, ran after it.
    const heldFates = await fates(
      db,
      held.map((t) => t.id),
    );
    const finishedAfter = [...heldFates.values()].filter((v) => typeof v === 'number').map((v) => v - killedAt);
    log(
      `b's ${held.length} in-flight tasks: ${finishedAfter.length} finished by a/c ${finishedAfter.length ? `${Math.min(...finishedAfter)}–${Math.max(...finishedAfter)} ms after the kill` : ''}; others: ${[...heldFates.values()].filter((v) => typeof v !== 'number').join(', ') || 'none'}`,
    );
    const scheduled = snapshot.pending.filter((t) => !t.leased);
    const scheduledFates = await fates(
      db,
      scheduled.map((t) => t.id),
    );
    const fate = (id: string) => {
      const f = scheduledFates.get(id);
      return typeof f === 'number' ? 'ran after it' : f === 'deleted' ? 'replaced by another flush' : `${f}`;
    };
    const byFate = new Map<string, Array<{ kind: string }>>();
    for (const t of scheduled) byFate.set(fate(t.id), [...(byFate.get(fate(t.id)) ?? []), t]);
    log(
      `scheduled before the kill: ${[...byFate].map(([what, list]) => `${what}: ${kinds(list)}`).join('; ')} (pending: not due yet)`,
    );

    const invariantProblems = await checkAllInvariants(db, load.ledger, hook.log, [snapshot], log);
    log(`done at ${since()}, ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
    problems.push(...invariantProblems);
    return problems;
  } catch (err) {
    const tails = instances.map((i) => `--- ${i.o.name} output ---\n${i.tail()}`).join('\n');
    throw new Error(`${(err as Error).stack}\n${tails}`);
  } finally {
    await pinger?.stop();
    // Its loops retry against instances that are going away; they end on their own deadline.
    void load?.stop();
    for (const i of instances) i.destroy();
    await db?.close();
    await hook.close();
    await target.close();
    await hits.close();
    for (const i of instances) fs.rmSync(i.o.dataDir, { recursive: true, force: true });
  }
}

const describePg = POSTGRES_URL ? describe : describe.skip;

describePg('three instances on one PostgreSQL, one killed with kill -9 under load and restarted', () => {
  beforeAll(() => {
    if (!fs.existsSync(BUILT))
      spawnSync(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
        { cwd: ROOT, stdio: 'ignore' },
      );
  }, 300_000);

  it('shares the checks, serves the API anywhere, takes over within the lease and keeps every crash invariant', async () => {
    const lines: string[] = [];
    const log = (line: string) => {
      lines.push(line);
      console.log(`[cluster seed=${seed}] ${line}`);
    };
    const problems = await clusterRun(seed, log);
    expect(problems, `CRASH_TEST_SEED=${seed}\n${lines.join('\n')}`).toEqual([]);
  }, 200_000);
});
