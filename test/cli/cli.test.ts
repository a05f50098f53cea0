import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configPath, readConfig, resolveConnection, writeConfig } from '../../src/cli/config.js';
import { collectFiles, parseYamlDocuments, readDocuments } from '../../src/cli/documents.js';
import { formatPlan, mapFieldErrors } from '../../src/cli/plan.js';
import { closedPort, fakeFetch, run, tempDir, writeFiles } from './helpers.js';

const dirs: string[] = [];
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const user = (email: string, tz = 'UTC') =>
  `apiVersion: mainstay/v1\nkind: User\nmetadata:\n  name: ${email}\nspec:\n  name: ${email.split('@')[0]}\n  timeZone: ${tz}\n`;

describe('reading YAML files', () => {
  it('a directory means every *.yaml and *.yml below it, recursively and sorted', () => {
    const d = dir();
    writeFiles(d, {
      'b.yaml': user('b@x.io'),
      'a.yml': user('a@x.io'),
      'sub/c.yaml': user('c@x.io'),
      'notes.txt': 'not yaml',
      '.hidden.yaml': user('h@x.io'),
    });
    const files = collectFiles([d], d).map((f) => path.relative(d, f));
    expect(files).toEqual(['a.yml', 'b.yaml', 'sub/c.yaml']);
  });

  it('numbers documents from 1 in each file, skipping empty ones but keeping their place', () => {
    const d = dir();
    writeFiles(d, { 'users.yaml': `${user('a@x.io')}---\n# just a comment\n---\n${user('b@x.io')}---\n` });
    const docs = readDocuments(['users.yaml'], d);
    expect(docs.map((x) => x.source)).toEqual(['users.yaml#1', 'users.yaml#3']);
    expect(docs[1]?.document).toMatchObject({ kind: 'User', metadata: { name: 'b@x.io' } });
  });

  it('names files outside the working directory by their absolute path', () => {
    const d = dir();
    writeFiles(d, { 'u.yaml': user('a@x.io') });
    const other = dir();
    expect(readDocuments([path.join(d, 'u.yaml')], other)[0]?.source).toBe(`${path.join(d, 'u.yaml')}#1`);
  });

  it('a syntax error names the file, the document and the line and column', () => {
    // user() is 7 lines; `---` is line 8, so `metadata: name: b` is line 11.
    const text = `${user('a@x.io')}---\napiVersion: mainstay/v1\nkind: User\nmetadata: name: b\nspec: {}\n`;
    const { documents, problems } = parseYamlDocuments(text, 'users.yaml');
    expect(documents).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: 'users.yaml#2', line: 11, col: 11 });
  });

  it('a duplicate key is an error, not a silent overwrite', () => {
    const { problems } = parseYamlDocuments('kind: User\nkind: Team\n', 'x.yaml');
    expect(problems[0]).toMatchObject({ source: 'x.yaml#1', line: 2, col: 1 });
  });

  it('a missing path is a usage error', async () => {
    const r = await run(['apply', '-f', 'nope.yaml'], { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.yaml: no such file or directory');
  });
});

describe('apply', () => {
  const plan = {
    dryRun: true,
    applied: false,
    changes: [
      { action: 'create', kind: 'User', name: 'a@x.io', source: 'users.yaml#1', diff: [] },
      {
        action: 'update',
        kind: 'User',
        name: 'b@x.io',
        source: 'users.yaml#2',
        diff: [{ path: 'spec.timeZone', before: 'UTC', after: 'Europe/Berlin' }],
      },
      { action: 'delete', kind: 'Team', name: 'old', diff: [] },
      { action: 'unchanged', kind: 'Team', name: 'ops', source: 'teams.yaml#1', diff: [] },
    ],
  };

  it('prints one line per change, field diffs under updates, counts and the dry-run note', () => {
    expect(formatPlan(plan as Parameters<typeof formatPlan>[0])).toEqual([
      '+ create     User/a@x.io  users.yaml#1',
      '~ update     User/b@x.io  users.yaml#2',
      '  spec.timeZone: "UTC" → "Europe/Berlin"',
      '- delete     Team/old',
      '= unchanged  Team/ops     teams.yaml#1',
      '1 to create, 1 to update, 1 to delete, 1 unchanged',
      '(dry run: nothing applied)',
    ]);
    expect(formatPlan({ dryRun: false, applied: true, changes: [] }).at(-1)).toBe('applied');
  });

  it('maps documents.N field paths back to the file and document they came from', () => {
    const sources = ['teams.yaml#1', 'users.yaml#1', 'users.yaml#3'];
    expect(
      mapFieldErrors(
        [
          { path: 'documents.2.spec.timeZone', message: 'invalid time zone' },
          { path: 'documents.0', message: 'unknown kind' },
          { path: 'documents.1.document.metadata.name', message: 'not an email address' },
          { path: 'prune', message: 'must be a boolean' },
        ],
        sources,
      ),
    ).toEqual([
      'users.yaml#3: spec.timeZone: invalid time zone',
      'teams.yaml#1: unknown kind',
      'users.yaml#1: metadata.name: not an email address',
      'prune: must be a boolean',
    ]);
  });

  it('sends every document with its source and prints the plan', async () => {
    const d = dir();
    writeFiles(d, { 'conf/users.yaml': `${user('a@x.io')}---\n${user('b@x.io', 'Europe/Berlin')}` });
    const api = fakeFetch((c) => (c.path === '/api/v1/apply' ? { body: plan } : undefined));
    const r = await run(['apply', '-f', 'conf', '--dry-run'], {
      cwd: d,
      fetch: api.fetch,
      env: { MAINSTAY_URL: 'http://mainstay.test', MAINSTAY_TOKEN: 'ms_secret' },
    });
    expect(r.code).toBe(0);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]?.headers.authorization).toBe('Bearer ms_secret');
    expect(api.calls[0]?.body).toMatchObject({
      dryRun: true,
      prune: false,
      documents: [
        { source: 'conf/users.yaml#1', document: { kind: 'User', metadata: { name: 'a@x.io' } } },
        { source: 'conf/users.yaml#2', document: { spec: { timeZone: 'Europe/Berlin' } } },
      ],
    });
    expect(r.stdout).toContain('(dry run: nothing applied)');
    expect(r.stdout + r.stderr).not.toContain('ms_secret');
  });

  it('a YAML syntax error sends nothing and names file, document, line and column', async () => {
    const d = dir();
    writeFiles(d, { 'good.yaml': user('a@x.io'), 'users.yaml': `${user('b@x.io')}---\nkind: User\nspec: {a: 1\n` });
    const api = fakeFetch(() => ({ body: plan }));
    const r = await run(['apply', '-f', '.'], {
      cwd: d,
      fetch: api.fetch,
      env: { MAINSTAY_URL: 'http://mainstay.test' },
    });
    expect(r.code).toBe(1);
    expect(api.calls).toHaveLength(0);
    expect(r.stderr).toMatch(/users\.yaml#2: YAML syntax error at line \d+, column \d+: /);
    expect(r.stderr).toContain('nothing was sent');
  });

  it('a 400 prints the code, the hint and each field error as file#doc: field: message', async () => {
    const d = dir();
    writeFiles(d, { 'users.yaml': `${user('a@x.io')}---\n${user('b@x.io', 'Mars/Base')}` });
    const api = fakeFetch(() => ({
      status: 400,
      body: {
        error: {
          code: 'invalid_resources',
          message: '1 document is invalid',
          hint: 'fix the documents and apply again',
          fields: [{ path: 'documents.1.spec.timeZone', message: 'invalid time zone' }],
          requestId: 'req-1',
        },
      },
    }));
    const r = await run(['apply', '-f', 'users.yaml'], {
      cwd: d,
      fetch: api.fetch,
      env: { MAINSTAY_URL: 'http://x.test' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error (invalid_resources): 1 document is invalid');
    expect(r.stderr).toContain('  users.yaml#2: spec.timeZone: invalid time zone');
    expect(r.stderr).toContain('hint: fix the documents and apply again');
    expect(r.stdout).toBe('');
  });
});

describe('config and connection', () => {
  it('stores the login with file mode 0600 in a 0700 directory under XDG_CONFIG_HOME', () => {
    const env = { XDG_CONFIG_HOME: dir() };
    const file = writeConfig(env, { url: 'http://a.test', token: 'ms_t', tokenId: 't1' });
    expect(file).toBe(path.join(env.XDG_CONFIG_HOME, 'mainstay', 'config.json'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readConfig(env)).toEqual({ url: 'http://a.test', token: 'ms_t', tokenId: 't1' });
  });

  it('falls back to ~/.config without XDG_CONFIG_HOME', () => {
    expect(configPath({ HOME: '/home/ops' })).toBe('/home/ops/.config/mainstay/config.json');
  });

  it('flags win over env, env over the stored login; the stored token only goes to its own server', () => {
    const stored = { url: 'http://stored.test/', token: 'ms_stored' };
    expect(resolveConnection({}, {}, stored)).toMatchObject({ url: 'http://stored.test', token: 'ms_stored' });
    expect(resolveConnection({}, { MAINSTAY_TOKEN: 'ms_env' }, stored).token).toBe('ms_env');
    expect(resolveConnection({}, { MAINSTAY_URL: 'http://other.test' }, stored)).toMatchObject({
      url: 'http://other.test',
      token: undefined,
    });
    expect(
      resolveConnection({ url: 'http://flag.test', token: 'ms_flag' }, { MAINSTAY_URL: 'http://e.test' }, stored),
    ).toMatchObject({
      url: 'http://flag.test',
      token: 'ms_flag',
    });
    expect(resolveConnection({}, {}, undefined)).toMatchObject({ url: 'http://127.0.0.1:8080', token: undefined });
  });

  it('login reads the password from stdin, stores url and token 0600 and never prints the token', async () => {
    const env = { XDG_CONFIG_HOME: dir() };
    const api = fakeFetch((c) =>
      c.method === 'POST' && c.path === '/api/v1/auth/token'
        ? {
            status: 201,
            body: {
              token: 'ms_abcdef_secret',
              apiToken: {
                id: 'tok1',
                name: 'laptop',
                prefix: 'ms_abcdef',
                scope: 'admin',
                userEmail: 'a@x.io',
                expiresAt: null,
              },
            },
          }
        : undefined,
    );
    const r = await run(
      ['login', '--url', 'http://login.test', '--email', 'a@x.io', '--password-stdin', '--name', 'laptop'],
      {
        env,
        fetch: api.fetch,
        stdin: 'hunter2hunter2\n',
      },
    );
    expect(r.code).toBe(0);
    expect(api.calls[0]?.body).toEqual({ email: 'a@x.io', password: 'hunter2hunter2', name: 'laptop' });
    expect(api.calls[0]?.headers.authorization).toBeUndefined();
    expect(r.stdout + r.stderr).not.toContain('ms_abcdef_secret');
    expect(readConfig(env)).toEqual({ url: 'http://login.test', token: 'ms_abcdef_secret', tokenId: 'tok1' });
    expect(fs.statSync(configPath(env)).mode & 0o777).toBe(0o600);

    const logout = await run(['logout'], { env, fetch: api.fetch });
    expect(logout.code).toBe(0);
    expect(api.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/tokens/tok1' });
    expect(api.calls.at(-1)?.headers.authorization).toBe('Bearer ms_abcdef_secret');
    expect(fs.existsSync(configPath(env))).toBe(false);
  });

  it('an unreachable server exits 3 with "cannot reach MAINSTAY_URL"', async () => {
    const port = await closedPort();
    const r = await run(['get', 'users'], { env: { MAINSTAY_URL: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot reach MAINSTAY_URL http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe('usage and API errors', () => {
  it('unknown options, missing arguments and bad formats exit 2', async () => {
    expect((await run(['get'])).code).toBe(2);
    expect((await run(['apply'])).code).toBe(2);
    expect((await run(['tokens', 'ls', '--bogus'])).code).toBe(2);
    const api = fakeFetch(() => ({ body: { items: [], total: 0, limit: 500, offset: 0 } }));
    const bad = await run(['get', 'users', '-o', 'xml'], { fetch: api.fetch });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown output format "xml"');
    expect((await run(['serve', '--port', 'eighty'])).code).toBe(2);
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['serve', 'login', 'logout', 'apply', 'get', 'delete', 'export', 'users', 'tokens'])
      expect(r.stdout).toContain(c);
  });

  it('an API error prints code, message and hint and exits 1', async () => {
    const api = fakeFetch(() => ({
      status: 403,
      body: { error: { code: 'forbidden', message: 'needs the admin role', hint: 'ask an admin', requestId: 'r' } },
    }));
    const r = await run(['delete', 'team', 'ops'], { fetch: api.fetch, env: { MAINSTAY_TOKEN: 'ms_x' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error (forbidden): needs the admin role\nhint: ask an admin\n');
  });

  it('a 401 without any token suggests logging in', async () => {
    const api = fakeFetch(() => ({
      status: 401,
      body: { error: { code: 'unauthenticated', message: 'no credentials', requestId: 'r' } },
    }));
    const r = await run(['get', 'users'], { fetch: api.fetch, env: { XDG_CONFIG_HOME: dir() } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hint: run mainstay login or set MAINSTAY_TOKEN');

    const withHint = fakeFetch(() => ({
      status: 401,
      body: { error: { code: 'unauthenticated', message: 'sign in', hint: 'send a bearer token', requestId: 'r' } },
    }));
    const r2 = await run(['get', 'users'], { fetch: withHint.fetch, env: { XDG_CONFIG_HOME: dir() } });
    expect(r2.stderr).toBe(
      'error (unauthenticated): sign in\n  no API token was sent: run mainstay login or set MAINSTAY_TOKEN\nhint: send a bearer token\n',
    );
  });
});

describe('reading resources', () => {
  const doc = (i: number) => ({
    apiVersion: 'mainstay/v1',
    kind: 'User',
    metadata: { name: `u${i}@x.io` },
    spec: { name: `U ${i}`, timeZone: 'UTC', role: 'viewer' },
  });
  const all = Array.from({ length: 7 }, (_, i) => doc(i));
  const paged = fakeFetch((c) => {
    if (c.path !== '/api/v1/resources/users') return undefined;
    const offset = Number(c.query.offset ?? 0);
    // Pretend the server caps pages at 3 whatever limit is asked for.
    return { body: { items: all.slice(offset, offset + 3), total: all.length, limit: 3, offset } };
  });

  it('get follows offset until every page is read and prints a table', async () => {
    const r = await run(['get', 'users'], { fetch: paged.fetch });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DISPLAY NAME\s+ROLE\s+TIME ZONE\s+DISABLED$/);
    expect(lines).toHaveLength(8);
    expect(lines[7]).toMatch(/^u6@x\.io\s+U 6\s+viewer\s+UTC\s+-$/);
  });

  it('get -o yaml prints documents separated by --- that read back as the same documents', async () => {
    const r = await run(['get', 'users', '-o', 'yaml'], { fetch: paged.fetch });
    const d = dir();
    writeFiles(d, { 'users.yaml': r.stdout });
    expect(readDocuments(['users.yaml'], d).map((x) => x.document)).toEqual(all);
    expect(r.stdout.split('\n').filter((l) => l === '---')).toHaveLength(6);
  });

  it('export -o DIR writes one file per kind, named by its lowercase plural', async () => {
    const team = { apiVersion: 'mainstay/v1', kind: 'Team', metadata: { name: 'ops' }, spec: { members: [] } };
    const api = fakeFetch((c) => {
      if (c.path === '/api/v1/export') return { body: { documents: [doc(1), team, doc(2)] } };
      if (c.path === '/api/v1/resources')
        return {
          body: {
            kinds: [
              { kind: 'User', plural: 'users' },
              { kind: 'Team', plural: 'teams' },
            ],
          },
        };
      return undefined;
    });
    const d = dir();
    const r = await run(['export', '-o', 'out'], { fetch: api.fetch, cwd: d });
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(d, 'out')).sort()).toEqual(['teams.yaml', 'users.yaml']);
    expect(readDocuments(['out'], d).map((x) => [x.source, x.document])).toEqual([
      ['out/teams.yaml#1', team],
      ['out/users.yaml#1', doc(1)],
      ['out/users.yaml#2', doc(2)],
    ]);
  });
});

describe('tokens', () => {
  it('create prints the token once on stdout and the warning on stderr', async () => {
    const api = fakeFetch(() => ({
      status: 201,
      body: { token: 'ms_new_token', apiToken: { id: 't9', name: 'ci', scope: 'editor', expiresAt: null } },
    }));
    const r = await run(['tokens', 'create', 'ci', '--scope', 'editor', '--expires-in-days', '30'], {
      fetch: api.fetch,
    });
    expect(r.code).toBe(0);
    expect(api.calls[0]?.body).toEqual({ name: 'ci', scope: 'editor', expiresInDays: 30 });
    expect(r.stdout).toBe('ms_new_token\n');
    expect(r.stderr).toContain('will not be shown again');
  });
});
