import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type IcmpSpec, IcmpSpecSchema } from '../../check.model.js';
import { createIcmpProbe, icmpProbe } from '../icmp.probe.js';
import type { ProbeContext } from '../probe.js';

/** Loopback only: these tests never send ICMP anywhere but 127.0.0.1 and ::1. */

function context(timeoutMs = 5000, signal: AbortSignal = AbortSignal.timeout(timeoutMs)): ProbeContext {
  return {
    signal,
    timeoutMs,
    secret: (name) => Promise.reject(new Error(`secret ${name} does not exist`)),
    now: () => Date.now(),
  };
}

function spec(fields: Partial<IcmpSpec> & { host: string }): IcmpSpec {
  return IcmpSpecSchema.parse(fields);
}

function ipv6LoopbackWorks(): boolean {
  try {
    execFileSync('ping', ['-n', '-6', '-c', '1', '-W', '1', '::1'], {
      stdio: 'ignore',
      env: { LC_ALL: 'C', PATH: process.env.PATH },
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether an unprivileged user (nobody) is refused ICMP sockets here: we are root (to switch
 * to nobody), setpriv exists, and nobody's group is outside net.ipv4.ping_group_range.
 */
function unprivilegedPingIsRefused(): boolean {
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/setpriv')) return false;
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    return !(low !== undefined && high !== undefined && low <= 65534 && 65534 <= high);
  } catch {
    return false;
  }
}

function pingMissing(): string | undefined {
  try {
    execFileSync('ping', ['-V'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the ping command is missing (Debian: apt-get install -y iputils-ping)';
  }
}
const skipReason = pingMissing();

describe('icmp probe against loopback', () => {
  beforeEach((ctx) => {
    if (!skipReason) return;
    if (process.env.CI === 'true') throw new Error(`CI=true but ${skipReason}: CI must run the ICMP probe tests`);
    ctx.skip(skipReason);
  });

  it('127.0.0.1 answers every ping: up, with counts and round trips in details', async () => {
    const result = await icmpProbe(spec({ host: '127.0.0.1', count: 3 }), context());
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({
      host: '127.0.0.1',
      address: '127.0.0.1',
      transmitted: 3,
      received: 3,
      lossPercent: 0,
      exitCode: 0,
    });
    const rtt = result.details.rtt as { avgMs: number; minMs: number; maxMs: number };
    expect(rtt.minMs).toBeLessThanOrEqual(rtt.avgMs);
    expect(result.latencyMs).toBe(rtt.avgMs);
    expect(result.message).toMatch(/^3 of 3 replies from 127\.0\.0\.1 \(0% loss\), rtt min\/avg\/max\/mdev /);
  });

  it.skipIf(!ipv6LoopbackWorks())('::1 (an IPv6 literal, pinged with -6) answers', async () => {
    const result = await icmpProbe(spec({ host: '::1', count: 2 }), context());
    expect(result.ok).toBe(true);
    expect(result.details.address).toBe('::1');
  });

  it('an average round trip above maxRttMs fails as an assertion', async () => {
    const result = await icmpProbe(spec({ host: '127.0.0.1', count: 2, maxRttMs: 0 }), context());
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ phase: 'assertion', code: 'rtt_too_high' });
    expect(result.message).toMatch(/^average round trip to 127\.0\.0\.1 is [\d.]+ ms, above the 0 ms allowed/);
  });

  it('a run longer than the timeout is killed and fails with a timeout at the timeout', async () => {
    const t0 = performance.now();
    // 20 pings 0.2 s apart take about 4 s; the check allows 600 ms.
    const result = await icmpProbe(spec({ host: '127.0.0.1', count: 20 }), context(600));
    const took = performance.now() - t0;
    expect(result.error).toEqual({ phase: 'response', code: 'timeout' });
    expect(result.message).toMatch(/^ping to 127\.0\.0\.1 did not finish within 600 ms \(\d+ of 20 replies so far\)$/);
    expect(took).toBeLessThan(1500);
  });

  it('a missing ping command fails with config/icmp_unavailable saying what to install', async () => {
    const probe = createIcmpProbe({ command: '/nonexistent/ping' });
    const result = await probe(spec({ host: '127.0.0.1' }), context());
    expect(result.error).toEqual({ phase: 'config', code: 'icmp_unavailable' });
    expect(result.message).toContain('apt-get install iputils-ping');
  });

  it.skipIf(!unprivilegedPingIsRefused())(
    'ping without cap_net_raw outside ping_group_range fails with config/icmp_unavailable saying how to enable it',
    async () => {
      // A copy of ping loses its file capability; run it as nobody through a wrapper.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-ping-'));
      try {
        fs.chmodSync(dir, 0o755);
        const copy = path.join(dir, 'ping');
        fs.copyFileSync(execFileSync('sh', ['-c', 'command -v ping'], { encoding: 'utf8' }).trim(), copy);
        fs.chmodSync(copy, 0o755);
        const wrapper = path.join(dir, 'ping-as-nobody');
        fs.writeFileSync(wrapper, `#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups ${copy} "$@"\n`, {
          mode: 0o755,
        });
        const result = await createIcmpProbe({ command: wrapper })(spec({ host: '127.0.0.1', count: 1 }), context());
        expect(result.error).toEqual({ phase: 'config', code: 'icmp_unavailable' });
        expect(result.message).toContain('socket: Operation not permitted');
        expect(result.message).toContain('setcap cap_net_raw+ep');
        expect(result.message).toContain('net.ipv4.ping_group_range');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
