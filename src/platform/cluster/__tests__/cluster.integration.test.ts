import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { FakeClock } from '../../clock.js';
import { migrate } from '../../db/migrations.js';
import { Cluster } from '../cluster.js';
import { clusterMigrations } from '../cluster.migrations.js';
import { SHARDS, shardOf } from '../cluster.model.js';

const logger = pino({ level: 'silent' });
const LEASE = 15_000;
const RENEW = 3_000;

describe.each(engines())('cluster shard leases on %s', (engine) => {
  let tdb: TestDatabase;
  let clock: FakeClock;
  let members: Cluster[];
  /** What each member's listener was told it holds: must always equal what it says it holds. */
  let told: Map<string, Set<number>>;

  // The tests drive every renewal by hand (`round`): the members' own timers are set beyond any advance.
  const member = (id: string) => {
    const c = new Cluster({ database: tdb.database, clock, logger, memberId: id, leaseMs: LEASE, renewMs: 1e9 });
    const set = new Set<number>();
    told.set(id, set);
    c.onChange({
      acquired: async (shards) => {
        for (const s of shards) {
          expect(set.has(s), `${id} told twice it acquired ${s}`).toBe(false);
          set.add(s);
        }
      },
      released: async (shards) => {
        for (const s of shards) {
          expect(set.has(s), `${id} told it released ${s} it did not hold`).toBe(true);
          set.delete(s);
        }
      },
    });
    members.push(c);
    return c;
  };
  /** One renewal round of the given members, one after another (as their timers would). */
  const round = async (...ms: Cluster[]) => {
    for (const m of ms) await m.tick();
  };
  const expectPartition = (ms: Cluster[]) => {
    const all = ms.flatMap((m) => m.shards());
    expect(new Set(all).size, 'no shard held twice').toBe(all.length);
    expect(all.length, 'every shard held').toBe(SHARDS);
    for (const m of ms) expect([...told.get(m.memberId)!].sort((a, b) => a - b)).toEqual(m.shards());
  };

  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await migrate(tdb.database, [{ module: 'cluster', migrations: clusterMigrations }]);
    clock = new FakeClock();
    members = [];
    told = new Map();
  });
  afterEach(async () => {
    for (const m of members) m.halt();
    await tdb.close();
  });

  it('shardOf is stable and spreads keys over every shard', () => {
    expect(shardOf('check-1')).toBe(shardOf('check-1'));
    const counts = new Array(SHARDS).fill(0);
    for (let i = 0; i < 6400; i++) counts[shardOf(`019b76da-a800-7b6c-bc49-${String(i).padStart(12, '0')}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(160);
  });

  it('a lone instance holds every shard from its start, and the leader holds shard 0', async () => {
    const a = member('a:1');
    await a.start();
    expect(a.shards()).toHaveLength(SHARDS);
    expect(a.isLeader()).toBe(true);
    expectPartition([a]);
  });

  it('instances that join split the shards evenly and never hold one twice', async () => {
    const a = member('a:1');
    await a.start();
    const b = member('b:1');
    await b.start();
    // b sees two members at once but finds nothing free; a gives half back on its next renewal.
    expect(b.shards()).toEqual([]);
    await round(a, b);
    expectPartition([a, b]);
    expect(a.shards()).toHaveLength(32);
    expect(b.shards()).toHaveLength(32);
    const c = member('c:1');
    await c.start();
    await round(a, b, c);
    await round(a, b, c);
    expectPartition([a, b, c]);
    for (const m of [a, b, c]) expect(m.shards().length).toBeLessThanOrEqual(22);
    expect([a, b, c].filter((m) => m.isLeader())).toHaveLength(1);
  });

  it("a killed instance's shards move to the others once its leases expire, within lease + one renewal", async () => {
    const [a, b, c] = [member('a:1'), member('b:1'), member('c:1')];
    for (const m of [a, b, c]) await m.start();
    await round(a, b, c);
    await round(a, b, c);
    expectPartition([a, b, c]);
    const orphaned = c.shards();
    c.halt();
    const killedAt = clock.now();
    let movedAt: number | undefined;
    while (clock.now() - killedAt <= LEASE + 2 * RENEW) {
      clock.advance(RENEW);
      await round(a, b);
      if (orphaned.every((s) => a.owns(s) || b.owns(s))) {
        movedAt = clock.now();
        break;
      }
    }
    expect(movedAt, 'the orphaned shards were taken over').toBeDefined();
    expect(movedAt! - killedAt).toBeLessThanOrEqual(LEASE + RENEW);
    expectPartition([a, b]);
  });

  it('a graceful stop hands the shards over on the next renewal, and the stopped instance is told it released them', async () => {
    const [a, b] = [member('a:1'), member('b:1')];
    await a.start();
    await b.start();
    await round(a, b);
    await b.stop();
    expect(told.get('b:1')!.size).toBe(0);
    clock.advance(RENEW);
    await round(a);
    expect(a.shards()).toHaveLength(SHARDS);
  });

  it('an instance restarted under the same id takes its unexpired leases back at once', async () => {
    const [a, b] = [member('a:1'), member('b:1')];
    await a.start();
    await b.start();
    await round(a, b);
    const mine = b.shards();
    b.halt();
    const again = member('b:1');
    await again.start();
    expect(again.shards()).toEqual(mine);
    expectPartition([a, again]);
  });

  it('an instance paused past its lease loses its shards and is told so on its next renewal', async () => {
    const [a, b] = [member('a:1'), member('b:1')];
    await a.start();
    await b.start();
    await round(a, b);
    clock.advance(LEASE + 1);
    // a renews first and, seeing b's leases expired and b's heartbeat stale, takes everything.
    await round(a);
    expect(a.shards()).toHaveLength(SHARDS);
    await round(b);
    expect(told.get('b:1')!.size).toBe(0);
    expect(b.shards()).toEqual([]);
    await round(a, b);
    await round(a, b);
    expectPartition([a, b]);
  });
});
