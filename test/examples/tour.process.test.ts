import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../cli/helpers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The README's tour, end to end: `node examples/services.mjs` serves the shop, the payments gateway
 * and the pager; `mainstay apply -f examples/` and `mainstay contacts add` set Mainstay up; breaking
 * the shop opens an incident whose page reaches the pager with signed links; the acknowledge link
 * acknowledges it; fixing the shop resolves it; the postmortem is written and exported.
 *
 * The examples are applied as they are, except for the ports (free ones, so a tour running on this
 * machine is not disturbed) and the timers, shortened so the loop takes seconds: checks every 5 s
 * instead of 10, groupWait 1s instead of 10s, groupInterval 2s instead of 1m.
 */

const ROOT = path.resolve('.');
const SERVICES = path.join(ROOT, 'examples', 'services.mjs');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface ReceivedPage {
  via: string;
  signature: string;
  payload: {
    event: string;
    title: string;
    text: string;
    incident: { number: number; status: string } | null;
    links: { view?: string; acknowledge?: string; resolve?: string };
    recipient: { user: string; name: string } | null;
  };
}

describe.each(engines())('the README tour on %s', (engine) => {
  let s: TestServer;
  let services: ChildProcess | undefined;
  let dir: string;
  let env: Record<string, string>;
  let ports: { shop: number; payments: number; pager: number; control: number };
  const servicesEnv = () => ({
    ...process.env,
    EXAMPLES_SHOP_PORT: String(ports.shop),
    EXAMPLES_PAYMENTS_PORT: String(ports.payments),
    EXAMPLES_PAGER_PORT: String(ports.pager),
    EXAMPLES_CONTROL_PORT: String(ports.control),
  });
  const pages = async (): Promise<ReceivedPage[]> =>
    (await fetch(`http://127.0.0.1:${ports.pager}/pages`)).json() as Promise<ReceivedPage[]>;
  const services_ = (...args: string[]) =>
    spawnSync(process.execPath, [SERVICES, ...args], { env: servicesEnv(), encoding: 'utf8' });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON the API returned
  const api = async (method: string, p: string): Promise<any> => {
    const res = await fetch(`${s.url}${p}`, { method, headers: { authorization: `Bearer ${s.adminToken}` } });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text;
  };

  beforeAll(async () => {
    ports = { shop: await freePort(), payments: await freePort(), pager: await freePort(), control: await freePort() };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-tour-'));
    for (const file of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'))) {
      const text = fs
        .readFileSync(path.join(ROOT, 'examples', file), 'utf8')
        .replaceAll('127.0.0.1:9101', `127.0.0.1:${ports.shop}`)
        .replaceAll('port: 9102', `port: ${ports.payments}`)
        .replaceAll('127.0.0.1:9199', `127.0.0.1:${ports.pager}`)
        .replaceAll('intervalSeconds: 10', 'intervalSeconds: 5')
        .replaceAll('timeoutSeconds: 3', 'timeoutSeconds: 2')
        .replace('groupWait: 10s', 'groupWait: 1s')
        .replace('groupInterval: 1m', 'groupInterval: 2s');
      fs.writeFileSync(path.join(dir, file), text);
    }
    services = spawn(process.execPath, [SERVICES], { env: servicesEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
    const out = services.stdout as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      out.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.includes('"ready":true')) resolve();
      });
      services?.once('exit', (code) => reject(new Error(`services.mjs exited with ${code}`)));
    });
    out.resume();
    s = await startTestServer({ engine });
    env = { MAINSTAY_URL: s.url, MAINSTAY_TOKEN: s.adminToken };
  });

  afterAll(async () => {
    await s?.close();
    if (services && services.exitCode === null) {
      const exited = new Promise((r) => services?.once('exit', r));
      services.kill('SIGTERM');
      await exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('break the shop, get paged, acknowledge from the link, fix it, see it resolve, write the postmortem', {
    timeout: 90_000,
  }, async () => {
    const applied = await run(['apply', '-f', dir], { env });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    for (const user of ['ann@example.com', 'ben@example.com']) {
      const r = await run(['contacts', 'add', 'pager', '--channel', 'pager', '--user', user], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const test = await run(['contacts', 'test', 'pager', '--user', 'ann@example.com'], { env });
    expect(test.stdout).toMatch(/^delivered HTTP 200/);
    expect((await pages()).map((p) => [p.payload.event, p.signature])).toEqual([['test', 'ok']]);

    // Both checks come up against the healthy services.
    await until('both checks up', async () => {
      const list = await api('GET', '/api/v1/checks?limit=10');
      return list.items.every((c: { state: { status: string } }) => c.state.status === 'up') ? true : undefined;
    });

    const broke = services_('break', 'shop');
    expect(broke.stdout).toBe('shop is broken\n');

    const page = await until('the page', async () =>
      (await pages()).find((p) => p.via === 'pager' && p.payload.event === 'incident.triggered'),
    );
    const onCall = (await api('GET', '/api/v1/schedules/shop-primary/oncall')).onCall.user;
    expect(page.payload.recipient?.user).toBe(onCall);
    expect(page.signature).toBe('ok');
    expect(page.payload.title).toMatch(/^\[SEV1\] #1 shop-api is down/);
    expect(page.payload.links.acknowledge).toMatch(new RegExp(`^${s.url}/a/`));
    const room = await until('the room message', async () =>
      (await pages()).find((p) => p.via === 'room' && p.payload.event === 'incident.triggered'),
    );
    expect(room.payload.recipient).toBeNull();

    // The link's GET only asks; its POST (the confirmation page's button) acknowledges.
    const ackLink = page.payload.links.acknowledge as string;
    const confirm = await fetch(ackLink);
    expect(await confirm.text()).toContain('Acknowledge incident #1?');
    expect((await api('GET', '/api/v1/incidents/1')).status).toBe('triggered');
    const acked = await fetch(ackLink, { method: 'POST' });
    expect(acked.status).toBe(200);
    expect(await acked.text()).toContain('Incident #1 is acknowledged');
    expect((await api('GET', '/api/v1/incidents/1')).status).toBe('acknowledged');
    const ackNews = await until('the room hears of the acknowledgement', async () =>
      (await pages()).find((p) => p.via === 'room' && p.payload.event === 'incident.acknowledged'),
    );
    expect(ackNews.payload.text).toMatch(/^Acknowledged by a signed link\./);

    expect(services_('fix', 'shop').stdout).toBe('shop is healthy\n');
    const resolved = await until('the incident resolves', async () => {
      const inc = await api('GET', '/api/v1/incidents/1');
      return inc.status === 'resolved' ? inc : undefined;
    });
    expect(resolved.resolvedBy).toBe('system');
    const resolvedNews = await until('the room hears of the resolution', async () =>
      (await pages()).find((p) => p.via === 'room' && p.payload.event === 'incident.resolved'),
    );
    expect(resolvedNews.payload.text).toMatch(/^Resolved by Mainstay\./);
    // The page's links now have nothing left to do, and their pages say so instead of offering a button.
    for (const link of [ackLink, page.payload.links.resolve as string]) {
      const late = await (await fetch(link)).text();
      expect(late).toContain('Incident #1 is already resolved');
      expect(late).not.toContain('<form');
    }
    // One page to one person: nobody else was paged, and nothing was paged twice.
    const toPeople = (await pages()).filter((p) => p.via === 'pager' && p.payload.event !== 'test');
    expect(toPeople.map((p) => p.payload.event)).toEqual(['incident.triggered']);

    await api('POST', '/api/v1/incidents/1/postmortem');
    const markdown: string = await api('GET', '/api/v1/incidents/1/postmortem.md');
    expect(markdown).toContain('shop-api is down');
  });
});
