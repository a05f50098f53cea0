import { createHash } from 'node:crypto';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { SshSpec } from '../check.model.js';
import { cachedRegex } from './json-path.js';
import { failure, type Probe, type ProbePhase, type ProbeResult } from './probe.js';

/**
 * SSH check: connect, verify the host key against the pinned fingerprint (no trust on
 * first use), authenticate with a password and/or private key from Secrets, run one
 * command, and check its exit code and output.
 *
 * Phases: `connect` (TCP, SSH handshake, host key), `auth`, `command` (the exec request
 * and waiting for the command), `assertion` (exit code and output checks). stdout and
 * stderr are kept up to 64 KiB each; `stdoutRegex` is matched in multiline mode.
 */

const MAX_STREAM_BYTES = 64 * 1024;
const EXCERPT_CHARS = 4096;

/** `SHA256:<base64 without padding>` of a host key blob, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

class Bounded {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;
  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept >= MAX_STREAM_BYTES) return;
    const part = chunk.subarray(0, MAX_STREAM_BYTES - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }
  get truncated(): boolean {
    return this.total > this.kept;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function oneLine(text: string, max = 200): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

interface Exit {
  code: number | null;
  signal: string | undefined;
  stdout: Bounded;
  stderr: Bounded;
}

function assess(spec: SshSpec, exit: Exit, ms: number, base: Record<string, unknown>): ProbeResult {
  const stdout = exit.stdout.text();
  const stderr = exit.stderr.text();
  const details = {
    ...base,
    exitCode: exit.code,
    signal: exit.signal,
    stdout: excerpt(stdout),
    stderr: excerpt(stderr),
    stdoutBytes: exit.stdout.total,
    stderrBytes: exit.stderr.total,
    stdoutTruncated: exit.stdout.truncated,
    stderrTruncated: exit.stderr.truncated,
  };
  const timings = { totalMs: ms };
  const fail = (code: string, message: string) => failure('assertion', code, message, ms, { timings, details });
  const stderrHint = stderr.trim() ? `; stderr: ${oneLine(stderr)}` : '';

  if (exit.code === null) {
    return fail('exit_code', `the command was killed by signal ${exit.signal ?? 'unknown'}${stderrHint}`);
  }
  if (exit.code !== spec.expectExitCode) {
    return fail('exit_code', `expected exit code ${spec.expectExitCode}, got ${exit.code}${stderrHint}`);
  }
  if (spec.stdoutContains !== undefined && !stdout.includes(spec.stdoutContains)) {
    return fail(
      'stdout_mismatch',
      `stdout does not contain ${JSON.stringify(spec.stdoutContains)}; stdout: ${JSON.stringify(oneLine(stdout))}`,
    );
  }
  // Multiline, like grep: ^ and $ match at each line, so `^ok$` matches the output "ok\n".
  if (spec.stdoutRegex !== undefined && !cachedRegex(spec.stdoutRegex, { multiline: true })?.test(stdout)) {
    return fail(
      'stdout_mismatch',
      `stdout does not match /${spec.stdoutRegex}/; stdout: ${JSON.stringify(oneLine(stdout))}`,
    );
  }
  if (spec.stderrContains !== undefined && !stderr.includes(spec.stderrContains)) {
    return fail(
      'stderr_mismatch',
      `stderr does not contain ${JSON.stringify(spec.stderrContains)}; stderr: ${JSON.stringify(oneLine(stderr))}`,
    );
  }
  return {
    ok: true,
    latencyMs: ms,
    message: `exit code ${exit.code}, ${exit.stdout.total} bytes of stdout in ${ms} ms`,
    timings,
    details,
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const sshProbe: Probe<SshSpec> = async (spec, ctx) => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const host = spec.host.replace(/^\[(.*)\]$/, '$1');
  const where = `${host.includes(':') ? `[${host}]` : host}:${spec.port}`;
  const pinned = spec.hostKey.replace(/=+$/, '');
  const base: Record<string, unknown> = { host, port: spec.port, username: spec.username };
  let phase: 'config' | 'connect' | 'auth' | 'command' = 'config';

  const timedOut = (): ProbeResult => {
    const ms = elapsed();
    const message = {
      config: `the secrets could not be read within ${ctx.timeoutMs} ms`,
      connect: `the SSH connection to ${where} was not established within ${ctx.timeoutMs} ms`,
      auth: `authentication as ${spec.username} at ${where} did not finish within ${ctx.timeoutMs} ms`,
      command: `the command ${JSON.stringify(oneLine(spec.command, 80))} did not finish within ${ctx.timeoutMs} ms`,
    }[phase];
    return failure(phase, 'timeout', message, ms, { timings: { totalMs: ms }, details: base });
  };
  if (ctx.signal.aborted) return timedOut();

  const auth: Pick<ConnectConfig, 'password' | 'privateKey'> = {};
  const methods: string[] = [];
  for (const [field, name] of [
    ['password', spec.passwordSecret],
    ['privateKey', spec.privateKeySecret],
  ] as const) {
    if (!name) continue;
    try {
      auth[field] = await ctx.secret(name);
      methods.push(field === 'password' ? 'password' : 'publickey');
    } catch (err) {
      return failure(
        'config',
        'secret_unavailable',
        `the ${field} secret ${name} could not be read: ${errorMessage(err)}`,
        elapsed(),
        {
          details: base,
        },
      );
    }
    if (ctx.signal.aborted) return timedOut();
  }

  const client = new Client();
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let presented: string | undefined;
    let hostKeyMismatch = false;
    let channel: ClientChannel | undefined;
    let commandExited = false;

    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      client.removeAllListeners();
      // Late errors from a closing connection must not become unhandled 'error' events.
      client.on('error', () => {});
      if (channel && !commandExited) {
        // Without this a command cut at the timeout keeps running on the server (no pty: no SIGHUP).
        // OpenSSH >= 7.9 honours the signal request (RFC 4254 section 6.9), except for root logins,
        // which run without a privilege-separated child ("session signalling requires privilege separation").
        channel.removeAllListeners();
        channel.on('error', () => {});
        channel.signal('KILL');
      }
      // end() flushes the signal and says goodbye; destroy() if the server does not close promptly.
      client.end();
      setTimeout(() => client.destroy(), 1000).unref();
      resolve(result);
    };
    const fail = (p: ProbePhase, code: string, message: string) => {
      const ms = elapsed();
      finish(failure(p, code, message, ms, { timings: { totalMs: ms }, details: { ...base, hostKey: presented } }));
    };
    const onAbort = () => finish(timedOut());
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    client.on('handshake', () => {
      phase = 'auth';
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      if (hostKeyMismatch) {
        return fail(
          'connect',
          'host_key_mismatch',
          `the host key of ${where} is ${presented}, not the pinned ${pinned}`,
        );
      }
      switch (err.level) {
        case 'client-authentication':
          return fail(
            'auth',
            'auth_failed',
            `authentication as ${spec.username} at ${where} failed (tried ${methods.join(', ')})`,
          );
        case 'client-timeout':
          return finish(timedOut());
        case 'client-dns':
          return fail('dns', 'name_not_resolved', `${host} could not be resolved: ${err.message}`);
        case 'client-socket':
          if (err.code === 'ECONNREFUSED') {
            return fail('connect', 'connection_refused', `connection to ${where} refused (nothing listens there)`);
          }
          return fail(
            phase === 'command' ? 'command' : 'connect',
            'connection_failed',
            `the connection to ${where} failed: ${err.message}`,
          );
        default:
          // 'protocol' / 'handshake': no common algorithms, a bad packet, not an SSH server.
          return fail(
            phase === 'command' ? 'command' : 'connect',
            'ssh_error',
            `SSH with ${where} failed: ${err.message}`,
          );
      }
    });
    client.on('close', () => {
      if (phase === 'command')
        return fail('command', 'connection_closed', `${where} closed the connection before the command finished`);
      fail(
        phase === 'auth' ? 'auth' : 'connect',
        'connection_closed',
        `${where} closed the connection during the ${phase === 'auth' ? 'authentication' : 'handshake'}`,
      );
    });

    client.on('ready', () => {
      phase = 'command';
      const stdout = new Bounded();
      const stderr = new Bounded();
      let exit: { code: number | null; signal: string | undefined } | undefined;
      client.exec(spec.command, (err, stream) => {
        if (settled) return;
        if (err) return fail('command', 'exec_failed', `${where} refused to run the command: ${err.message}`);
        channel = stream;
        stream.on('data', (chunk: Buffer) => stdout.push(chunk));
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        stream.on('exit', (code: number | null, signal?: string) => {
          exit = { code: typeof code === 'number' ? code : null, signal };
        });
        stream.on('close', () => {
          commandExited = true;
          if (!exit)
            return fail('command', 'no_exit_status', `${where} closed the command's channel without an exit status`);
          finish(assess(spec, { ...exit, stdout, stderr }, elapsed(), { ...base, hostKey: presented }));
        });
      });
    });

    phase = 'connect';
    try {
      client.connect({
        host,
        port: spec.port,
        username: spec.username,
        ...auth,
        readyTimeout: Math.max(1, ctx.timeoutMs - elapsed()),
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          hostKeyMismatch = presented !== pinned;
          return !hostKeyMismatch;
        },
      });
    } catch (err) {
      // ssh2 parses the private key synchronously in connect().
      fail(
        'config',
        'invalid_private_key',
        `the private key secret ${spec.privateKeySecret} is not usable: ${errorMessage(err)}`,
      );
    }
  });
};
