import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SshSpec, SshSpecSchema } from '../../check.model.js';
import type { ProbeContext } from '../probe.js';
import { sshFingerprint, sshProbe } from '../ssh.probe.js';

/**
 * A real OpenSSH server (Debian's openssh-server, /usr/sbin/sshd) started for this file on
 * 127.0.0.1 and a free port, with its own host key, config and authorized_keys in a temp
 * directory. The client logs in as the current user with a generated key. When sshd cannot
 * start, the suite is skipped with the reason on a workstation and fails under CI=true.
 */

const SSHD = '/usr/sbin/sshd';
const CI = process.env.CI === 'true';
const USER = os.userInfo().username;

interface Sshd {
  dir: string;
  port: number;
  process: ChildProcess;
  hostFingerprint: string;
  clientKey: string;
  otherKey: string;
  otherFingerprint: string;
}

let sshd: Sshd | undefined;
let skipReason: string | undefined;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', path.basename(file), '-f', file], {
    stdio: 'ignore',
  });
}

/** The `SHA256:…` fingerprint as `ssh-keygen -lf` prints it: the reference the probe must agree with. */
function keygenFingerprint(pubFile: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' });
  const fp = out.split(' ')[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -lf output: ${out}`);
  return fp;
}

async function startSshd(): Promise<Sshd> {
  if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is missing (apt-get install -y openssh-server)`);
  // Privilege separation directory; the package creates it at boot through tmpfiles.d, a container may lack it.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-sshd-'));
  for (const name of ['host_ed25519', 'client_ed25519', 'other_ed25519']) keygen(path.join(dir, name));
  fs.copyFileSync(path.join(dir, 'client_ed25519.pub'), path.join(dir, 'authorized_keys'));
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sshd exited with ${code}: ${log.trim()}`)));
  });
  // Keep draining sshd's log so it never blocks on a full pipe.
  child.stderr?.resume();
  return {
    dir,
    port,
    process: child,
    hostFingerprint: keygenFingerprint(path.join(dir, 'host_ed25519.pub')),
    clientKey: fs.readFileSync(path.join(dir, 'client_ed25519'), 'utf8'),
    otherKey: fs.readFileSync(path.join(dir, 'other_ed25519'), 'utf8'),
    otherFingerprint: keygenFingerprint(path.join(dir, 'other_ed25519.pub')),
  };
}

beforeAll(async () => {
  try {
    sshd = await startSshd();
  } catch (err) {
    skipReason = `sshd could not start: ${(err as Error).message}`;
  }
});

afterAll(async () => {
  if (!sshd) return;
  const { process: child, dir } = sshd;
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach((ctx) => {
  if (!skipReason) return;
  if (CI) throw new Error(`CI=true but ${skipReason}: CI must run the SSH probe tests`);
  ctx.skip(skipReason);
});

function context(timeoutMs = 10_000, secrets: Record<string, string> = {}): ProbeContext {
  return {
    signal: AbortSignal.timeout(timeoutMs),
    timeoutMs,
    secret: async (name) => {
      const value = secrets[name];
      if (value === undefined) throw new Error(`Secret ${name} does not exist`);
      return value;
    },
    now: () => Date.now(),
  };
}

function server(): Sshd {
  if (!sshd) throw new Error(skipReason ?? 'sshd not started');
  return sshd;
}

function spec(fields: Partial<SshSpec> & { command: string }): SshSpec {
  const s = server();
  return SshSpecSchema.parse({
    host: '127.0.0.1',
    port: s.port,
    username: USER,
    privateKeySecret: 'ssh-key',
    hostKey: s.hostFingerprint,
    ...fields,
  });
}

const run = (s: SshSpec, timeoutMs = 10_000, secrets?: Record<string, string>) =>
  sshProbe(s, context(timeoutMs, secrets ?? { 'ssh-key': server().clientKey }));

describe('ssh probe against a local OpenSSH server', () => {
  it('runs the command: exit code and stdout match, the presented host key is reported', async () => {
    const result = await run(
      // stdoutRegex is multiline: ^ and $ anchor at each line of the output.
      spec({ command: 'echo hello-mainstay; whoami', stdoutContains: 'hello-mainstay', stdoutRegex: `^${USER}$` }),
    );
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({
      exitCode: 0,
      stdout: `hello-mainstay\n${USER}\n`,
      hostKey: server().hostFingerprint,
      stdoutTruncated: false,
    });
    expect(result.message).toMatch(/^exit code 0, \d+ bytes of stdout in \d+ ms$/);
  });

  it('computes host key fingerprints exactly like ssh-keygen -lf', () => {
    const pub = fs.readFileSync(path.join(server().dir, 'host_ed25519.pub'), 'utf8').split(' ')[1] ?? '';
    expect(sshFingerprint(Buffer.from(pub, 'base64'))).toBe(server().hostFingerprint);
  });

  it('a non-zero exit code that is expected passes, and stderr is matched', async () => {
    const result = await run(
      spec({ command: 'echo disk full >&2; exit 3', expectExitCode: 3, stderrContains: 'disk full' }),
    );
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({ exitCode: 3, stderr: 'disk full\n' });
  });

  it('an unexpected exit code fails as an assertion naming both codes and stderr', async () => {
    const result = await run(spec({ command: 'echo broken >&2; exit 3' }));
    expect(result.error).toEqual({ phase: 'assertion', code: 'exit_code' });
    expect(result.message).toBe('expected exit code 0, got 3; stderr: broken');
  });

  it('stdout without the expected text fails with stdout_mismatch', async () => {
    const result = await run(spec({ command: 'echo status=degraded', stdoutContains: 'status=ok' }));
    expect(result.error).toEqual({ phase: 'assertion', code: 'stdout_mismatch' });
    expect(result.message).toBe('stdout does not contain "status=ok"; stdout: "status=degraded"');
    const regex = await run(spec({ command: 'echo status=degraded', stdoutRegex: '^status=ok$' }));
    expect(regex.error).toEqual({ phase: 'assertion', code: 'stdout_mismatch' });
  });

  it('stderr without the expected text fails with stderr_mismatch', async () => {
    const result = await run(spec({ command: 'echo fine >&2', stderrContains: 'warning' }));
    expect(result.error).toEqual({ phase: 'assertion', code: 'stderr_mismatch' });
  });

  it('a host key other than the pinned one fails in phase connect, showing the presented fingerprint', async () => {
    const result = await run(spec({ command: 'true', hostKey: server().otherFingerprint }));
    expect(result.error).toEqual({ phase: 'connect', code: 'host_key_mismatch' });
    expect(result.message).toBe(
      `the host key of 127.0.0.1:${server().port} is ${server().hostFingerprint}, not the pinned ${server().otherFingerprint}`,
    );
  });

  it('an unknown user fails in phase auth', async () => {
    const result = await run(spec({ command: 'true', username: 'no-such-user-mainstay' }));
    expect(result.error).toEqual({ phase: 'auth', code: 'auth_failed' });
    expect(result.message).toBe(
      `authentication as no-such-user-mainstay at 127.0.0.1:${server().port} failed (tried publickey)`,
    );
  });

  it('a key that is not authorized fails in phase auth', async () => {
    const result = await run(spec({ command: 'true' }), 10_000, { 'ssh-key': server().otherKey });
    expect(result.error).toEqual({ phase: 'auth', code: 'auth_failed' });
  });

  it('a password the server does not accept fails in phase auth', async () => {
    const result = await run(
      spec({ command: 'true', privateKeySecret: undefined, passwordSecret: 'ssh-password' }),
      10_000,
      {
        'ssh-password': 'not-the-password',
      },
    );
    expect(result.error).toEqual({ phase: 'auth', code: 'auth_failed' });
    expect(result.message).toContain('(tried password)');
  });

  it('a command that hangs is cut at the timeout', async () => {
    const t0 = performance.now();
    const result = await run(spec({ command: 'sleep 30' }), 1500);
    expect(result.error).toEqual({ phase: 'command', code: 'timeout' });
    expect(result.message).toBe('the command "sleep 30" did not finish within 1500 ms');
    expect(performance.now() - t0).toBeLessThan(2500);
  });

  it('a port where nothing listens fails with connection_refused', async () => {
    const port = await freePort();
    const result = await run(spec({ command: 'true', port }));
    expect(result.error).toEqual({ phase: 'connect', code: 'connection_refused' });
    expect(result.message).toBe(`connection to 127.0.0.1:${port} refused (nothing listens there)`);
  });

  it('a missing key secret fails in phase config', async () => {
    const result = await run(spec({ command: 'true' }), 10_000, {});
    expect(result.error).toEqual({ phase: 'config', code: 'secret_unavailable' });
    expect(result.message).toBe('the privateKey secret ssh-key could not be read: Secret ssh-key does not exist');
  });

  it('a secret that is not a private key fails in phase config', async () => {
    const result = await run(spec({ command: 'true' }), 10_000, { 'ssh-key': 'not a key' });
    expect(result.error).toEqual({ phase: 'config', code: 'invalid_private_key' });
  });
});
