import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configPath, readConfig } from '../../src/cli/config.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run, tempDir, writeFiles } from './helpers.js';

const USERS = `apiVersion: mainstay/v1
kind: User
metadata:
  name: alice@example.test
spec:
  name: Alice
  timeZone: UTC
  role: editor
---
apiVersion: mainstay/v1
kind: User
metadata:
  name: bob@example.test
spec:
  name: Bob
  timeZone: UTC
`;

const TEAMS = `apiVersion: mainstay/v1
kind: Team
metadata:
  name: ops
spec:
  displayName: Operations
  members:
    - user: alice@example.test
      role: admin
    - user: bob@example.test
      role: responder
`;

describe.each(engines())('mainstay CLI against a real server on %s', (engine) => {
  let server: TestServer;
  let work: string;
  let env: Record<string, string>;
  const cli = (argv: string[], stdin?: string) =>
    run(argv, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    server = await startTestServer({ engine });
    work = tempDir();
    // Only a config home: every command below finds the server through the stored login.
    env = { XDG_CONFIG_HOME: path.join(work, 'config') };
    writeFiles(work, { 'conf/users.yaml': USERS, 'conf/teams.yaml': TEAMS });
  });

  afterAll(async () => {
    await server?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('login with --password-stdin stores url and token in a 0600 file and does not print the token', async () => {
    const r = await cli(
      ['login', '--url', server.url, '--email', server.adminEmail, '--password-stdin'],
      `${server.adminPassword}\n`,
    );
    expect(r.stderr).toContain('credentials saved to');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`logged in to ${server.url.replace(/\/$/, '')} as ${server.adminEmail}`);
    const stored = readConfig(env);
    expect(stored?.token).toBeTruthy();
    expect(r.stdout + r.stderr).not.toContain(stored?.token);
    expect(fs.statSync(configPath(env)).mode & 0o777).toBe(0o600);
  });

  it('a wrong password fails with the server error and stores nothing new', async () => {
    const other = { XDG_CONFIG_HOME: path.join(work, 'other-config') };
    const r = await run(['login', '--url', server.url, '--email', server.adminEmail, '--password-stdin'], {
      env: other,
      stdin: 'wrong password\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \(\w+\): /);
    expect(fs.existsSync(configPath(other))).toBe(false);
  });

  it('apply --dry-run prints the plan and changes nothing', async () => {
    const r = await cli(['apply', '-f', 'conf', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+ create\s+User\/alice@example\.test\s+conf\/users\.yaml#1$/m);
    expect(r.stdout).toMatch(/^\+ create\s+User\/bob@example\.test\s+conf\/users\.yaml#2$/m);
    expect(r.stdout).toMatch(/^\+ create\s+Team\/ops\s+conf\/teams\.yaml#1$/m);
    expect(r.stdout).toContain('3 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(r.stdout).toContain('(dry run: nothing applied)');
    const get = await cli(['get', 'user', 'alice@example.test']);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('not_found');
  });

  it('apply creates everything, and applying again changes nothing', async () => {
    const r = await cli(['apply', '-f', 'conf']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('applied');
    const again = await cli(['apply', '-f', 'conf']);
    expect(again.stdout).toContain('0 to create, 0 to update, 0 to delete, 3 unchanged');
  });

  it('a changed field shows as an update with its diff', async () => {
    writeFiles(work, {
      'change/alice.yaml': USERS.split('---\n')[0]!.replace('timeZone: UTC', 'timeZone: Europe/Berlin'),
    });
    const r = await cli(['apply', '-f', 'change/alice.yaml', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^~ update\s+User\/alice@example\.test\s+change\/alice\.yaml#1$/m);
    expect(r.stdout).toContain('  spec.timeZone: "UTC" → "Europe/Berlin"');
    expect(r.stdout).toContain('0 to create, 1 to update, 0 to delete, 0 unchanged');
  });

  it('get lists as a table and prints re-applyable YAML', async () => {
    const table = await cli(['get', 'users']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+DISPLAY NAME\s+ROLE\s+TIME ZONE\s+DISABLED$/m);
    expect(table.stdout).toMatch(/^alice@example\.test\s+Alice\s+editor\s+UTC\s+false$/m);

    const yaml = await cli(['get', 'Team', 'ops', '-o', 'yaml']);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toContain('kind: Team');
    expect(yaml.stdout).toContain('user: bob@example.test');
    writeFiles(work, { 'got/ops.yaml': yaml.stdout });
    const reapply = await cli(['apply', '-f', 'got', '--dry-run']);
    expect(reapply.stdout).toContain('0 to create, 0 to update, 0 to delete, 1 unchanged');

    const all = await cli(['get', 'users', '-o', 'yaml']);
    expect(all.stdout.split('\n').filter((l) => l === '---')).toHaveLength(2);
  });

  it('export -o DIR writes users.yaml and teams.yaml, and applying them back changes nothing', async () => {
    const r = await cli(['export', '-o', 'exported']);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(work, 'exported')).sort()).toEqual(['teams.yaml', 'users.yaml']);
    const back = await cli(['apply', '-f', 'exported']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('0 to create, 0 to update, 0 to delete, 4 unchanged');
    const stdout = await cli(['export']);
    expect(stdout.stdout).toContain('kind: User');
    expect(stdout.stdout).toContain('kind: Team');
  });

  it('an invalid document names file, document and field, and nothing is applied', async () => {
    writeFiles(work, {
      'bad/users.yaml': `${USERS.replace('alice@', 'carol@')
        .replace('bob@', 'dave@')
        .replace(/timeZone: UTC\n$/, 'timeZone: Mars/Olympus\n')}`,
    });
    const r = await cli(['apply', '-f', 'bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ {2}bad\/users\.yaml#2: spec\.timeZone: /m);
    expect(r.stderr).toMatch(/^error \(\w+\): /);
    expect((await cli(['get', 'user', 'carol@example.test'])).code).toBe(1);
  });

  it('delete removes a resource', async () => {
    const r = await cli(['delete', 'team', 'ops']);
    expect(r.code).toBe(0);
    const get = await cli(['get', 'teams', 'ops']);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('not_found');
  });

  it('tokens create prints the token once; ls shows it; revoke ends it', async () => {
    const created = await cli(['tokens', 'create', 'ci-deploy', '--scope', 'viewer', '--expires-in-days', '7']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('will not be shown again');
    const token = created.stdout.trim();
    const id = /id (\S+),/.exec(created.stderr)?.[1];
    expect(token).not.toBe('');
    expect(id).toBeTruthy();

    const viaToken = await run(['get', 'users', '--url', server.url, '--token', token], { env: {}, cwd: work });
    expect(viaToken.code).toBe(0);

    const ls = await cli(['tokens', 'ls']);
    expect(ls.stdout).toMatch(new RegExp(`^${id}\\s+ci-deploy\\s+\\S+\\s+viewer\\s.*active$`, 'm'));
    expect(ls.stdout).not.toContain(token);
    expect((await cli(['tokens', 'ls', '--all', '-o', 'json'])).code).toBe(0);

    const revoked = await cli(['tokens', 'revoke', id!]);
    expect(revoked.code).toBe(0);
    const after = await run(['get', 'users', '--url', server.url, '--token', token], { env: {}, cwd: work });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('unauthenticated');
  });

  it('users add, ls, passwd and rm', async () => {
    const add = await cli(
      [
        'users',
        'add',
        'erin@example.test',
        '--name',
        'Erin',
        '--role',
        'responder',
        '--time-zone',
        'Europe/Paris',
        '--password-stdin',
      ],
      'first password 123\n',
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('created user erin@example.test');

    const ls = await cli(['users', 'ls', '--role', 'responder']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^erin@example\.test\s+Erin\s+responder\s+Europe\/Paris\s+no\s/m);
    expect(ls.stdout).not.toContain('alice@example.test');

    const passwd = await cli(['users', 'passwd', 'erin@example.test', '--password-stdin'], 'second password 456\n');
    expect(passwd.code).toBe(0);
    const erinEnv = { XDG_CONFIG_HOME: path.join(work, 'erin-config') };
    const login = await run(['login', '--url', server.url, '--email', 'erin@example.test', '--password-stdin'], {
      env: erinEnv,
      stdin: 'second password 456\n',
    });
    expect(login.code).toBe(0);

    const rm = await cli(['users', 'rm', 'erin@example.test']);
    expect(rm.code).toBe(0);
    const json = await cli(['users', 'ls', '-o', 'json']);
    expect((JSON.parse(json.stdout) as { email: string }[]).map((u) => u.email)).not.toContain('erin@example.test');
    const missing = await cli(['users', 'rm', 'erin@example.test']);
    expect(missing.code).toBe(1);
  });

  it('logout revokes the stored token and forgets it', async () => {
    const token = readConfig(env)?.token;
    const r = await cli(['logout']);
    expect(r.code).toBe(0);
    expect(fs.existsSync(configPath(env))).toBe(false);
    const after = await run(['get', 'users', '--url', server.url, '--token', token!], { env: {}, cwd: work });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('unauthenticated');
  });
});
