import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run, tempDir, writeFiles } from './helpers.js';

describe.each(engines())('mainstay checks CLI against a real server on %s', (engine) => {
  let server: TestServer;
  let target: http.Server;
  let work: string;
  let env: Record<string, string>;
  const cli = (argv: string[], stdin?: string) =>
    run(argv, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    target = http.createServer((req, res) => {
      res.writeHead(req.url === '/down' ? 500 : 200);
      res.end('hello');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    server = await startTestServer({ engine });
    work = tempDir();
    env = { MAINSTAY_URL: server.url, MAINSTAY_TOKEN: server.adminToken };
    const check = (name: string, path: string) => `apiVersion: mainstay/v1
kind: Check
metadata:
  name: ${name}
  labels: { team: web }
spec:
  kind: http
  intervalSeconds: 60
  target:
    url: http://127.0.0.1:${port}${path}
`;
    writeFiles(work, { 'checks.yaml': `${check('site', '/')}---\n${check('broken', '/down')}` });
  });

  afterAll(async () => {
    await server?.close();
    await new Promise((r) => target.close(r));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('applies Check documents and lists them', async () => {
    const applied = await cli(['apply', '-f', 'checks.yaml']);
    expect(applied.code, applied.stderr).toBe(0);
    const ls = await cli(['checks', 'ls']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/site/);
    expect(ls.stdout).toMatch(/broken/);
    const filtered = await cli(['checks', 'ls', '--label', 'team=web', '-o', 'json']);
    expect(
      JSON.parse(filtered.stdout)
        .map((c: { name: string }) => c.name)
        .sort(),
    ).toEqual(['broken', 'site']);
  });

  it('checks run prints the full result and exits 0 when the check passes, 1 when it fails', async () => {
    const ok = await cli(['checks', 'run', 'site']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/200/);
    const bad = await cli(['checks', 'run', 'broken']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/500/);
    expect(bad.stdout).toMatch(/unexpected_status/);
  });

  it('checks show prints the spec and state; an unknown check is an error', async () => {
    const show = await cli(['checks', 'show', 'site']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/127\.0\.0\.1/);
    const missing = await cli(['checks', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not_found/);
  });

  it('secrets set reads a value from stdin and never prints it', async () => {
    const set = await cli(['secrets', 'set', 'web-token', '--value-stdin'], 's3cr3t-value-xyz');
    expect(set.code, set.stderr).toBe(0);
    const ls = await cli(['secrets', 'ls']);
    expect(ls.stdout).toMatch(/web-token/);
    expect(ls.stdout + set.stdout + set.stderr).not.toMatch(/s3cr3t-value-xyz/);
  });
});
