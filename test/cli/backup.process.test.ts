import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectDatabase, type TableRows } from '../../src/platform/db/backup.js';
import { all, cli, ensureBuilt, type Running, sendEvent, setUp, startServe, stop } from './backup-process.js';

const SECRET_VALUE = `s3cret-${randomBytes(16).toString('hex')}`;

interface Ack {
  key: string;
  at: number;
  ms: number;
}

/**
 * Writers that run until stopped: PagerDuty events (each its own alert) and teams over the API.
 * Every write answered 2xx is recorded with the moment its answer arrived.
 */
function startLoad(base: string, token: string, routingKey: string) {
  const events: Ack[] = [];
  const teams: Ack[] = [];
  let failures = 0;
  let running = true;
  let n = 0;
  const timed = async (list: Ack[], key: string, send: () => Promise<number>) => {
    const sent = performance.now();
    try {
      const status = await send();
      if (status >= 200 && status < 300) list.push({ key, at: performance.now(), ms: performance.now() - sent });
      else failures++;
    } catch {
      failures++;
    }
  };
  const eventLoop = async () => {
    while (running) {
      const key = `evt-${n++}`;
      await timed(events, key, () => sendEvent(base, routingKey, key));
    }
  };
  const teamLoop = async () => {
    while (running) {
      const name = `team-${n++}`;
      await timed(teams, name, async () => {
        const r = await fetch(`${base}/api/v1/teams`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ name }),
        });
        await r.arrayBuffer();
        return r.status;
      });
    }
  };
  const loops = [...Array.from({ length: 6 }, eventLoop), ...Array.from({ length: 2 }, teamLoop)];
  return {
    events,
    teams,
    failures: () => failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

describe('mainstay backup under load, restored into a fresh data directory', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-backup-proc-'));
  const original = path.join(work, 'original');
  const fresh = path.join(work, 'fresh');
  const file = path.join(work, 'mainstay-backup.db');
  const started: Running[] = [];

  beforeAll(ensureBuilt);
  afterAll(async () => {
    for (const s of started) await stop(s);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('loses no write answered before the backup began, and the restored server has exactly the backup', async () => {
    const a = await startServe(original);
    started.push(a);
    const { token, routingKey } = await setUp(a.url, { name: 'db-password', value: SECRET_VALUE });

    const load = startLoad(a.url, token, routingKey);
    await sleep(1500);
    // Everything answered before this moment was committed before the backup's snapshot.
    const backupBegan = performance.now();
    const ackedBefore = { events: load.events.length, teams: load.teams.length };
    const backup = await cli(['backup', file, '--data-dir', original, '-o', 'json']);
    const backupEnded = performance.now();
    expect(backup.code, backup.stderr).toBe(0);
    // While it serves, a restore into its data directory is refused (a second process).
    const refused = await cli(['restore', file, '--data-dir', original]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is in use (a Mainstay server has it open)');
    await sleep(300);
    await load.stop();
    await stop(a);

    const during = load.events.filter((e) => e.at > backupBegan && e.at < backupEnded);
    const report = JSON.parse(backup.stdout) as {
      bytes: number;
      copyMs: number;
      totalMs: number;
      rows: number;
      tables: TableRows[];
      integrity: string;
      sealedKeys: Array<{ keyId: string; values: number }>;
    };
    // The server kept answering writes while the backup read the database.
    expect(during.length).toBeGreaterThan(0);
    expect(load.failures()).toBe(0);
    expect(report.integrity).toBe('ok');

    // Sealed values stay sealed: no plaintext secret, integration key or API token in the file.
    const bytes = fs.readFileSync(file);
    for (const plain of [SECRET_VALUE, routingKey, token]) expect(bytes.includes(plain)).toBe(false);
    expect(report.sealedKeys.reduce((n, k) => n + k.values, 0)).toBeGreaterThanOrEqual(2);

    // Restore into a fresh data directory holding the original's key, as the README says.
    fs.mkdirSync(fresh);
    fs.copyFileSync(path.join(original, 'secret.key'), path.join(fresh, 'secret.key'));
    fs.chmodSync(path.join(fresh, 'secret.key'), 0o600);
    const restore = await cli(['restore', file, '--data-dir', fresh, '-o', 'json']);
    expect(restore.code, restore.stderr).toBe(0);
    const restored = inspectDatabase(path.join(fresh, 'mainstay.db'));
    expect(restored.integrity).toBe('ok');
    expect(restored.tables).toEqual(report.tables);
    expect(JSON.parse(restore.stdout).tables).toEqual(report.tables);

    const b = await startServe(fresh);
    started.push(b);
    expect(b.output()).not.toContain('created the first admin');
    // The API token, the alerts and the teams are the backup's.
    const alerts = await all<{ dedupKey: string }>(b.url, token, '/api/v1/alerts?status=all');
    const teams = await all<{ name: string }>(b.url, token, '/api/v1/teams');
    const alertKeys = new Set(alerts.map((x) => x.dedupKey));
    const teamNames = new Set(teams.map((x) => x.name));
    expect(load.events.slice(0, ackedBefore.events).filter((e) => !alertKeys.has(e.key))).toEqual([]);
    expect(load.teams.slice(0, ackedBefore.teams).filter((t) => !teamNames.has(t.key))).toEqual([]);
    expect(alerts.length).toBe(report.tables.find((t) => t.table === 'alerts')?.rows);
    // The restored integration key still authenticates events (its hash and sealed copy came back).
    expect(await sendEvent(b.url, routingKey, 'after-restore')).toBe(202);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    await stop(b);

    console.log(
      [
        `backup of a ${(report.bytes / 1024 / 1024).toFixed(2)} MiB database (${report.rows} rows, ${report.tables.length} tables):`,
        `copy ${report.copyMs} ms, verified and renamed after ${report.totalMs} ms, ${Math.round(backupEnded - backupBegan)} ms as a process`,
        `events answered during the backup: ${during.length}, p99 ${p99(during.map((e) => e.ms)).toFixed(1)} ms (whole run p99 ${p99(load.events.map((e) => e.ms)).toFixed(1)} ms)`,
        `answered before the backup: ${ackedBefore.events} events and ${ackedBefore.teams} teams, all restored; ${load.events.length} events in all, ${alertKeys.size} of them in the backup`,
      ].join('\n'),
    );
  }, 60_000);
});
