import { spawn } from 'node:child_process';
import net from 'node:net';
import type { IcmpSpec } from '../check.model.js';
import { failure, type Probe, type ProbeResult } from './probe.js';

/**
 * ICMP check: runs the system `ping` (iputils-ping) rather than opening raw sockets in
 * the server, so Mainstay itself needs no privilege.
 *
 * iputils ping works unprivileged in two ways: through its file capability
 * (`cap_net_raw+ep` on /usr/bin/ping, which Debian's iputils-ping package sets), or
 * through ICMP datagram sockets when the user's group is inside
 * `net.ipv4.ping_group_range` (`sysctl -w net.ipv4.ping_group_range='0 2147483647'`).
 * In CI it runs as root, which needs neither. When neither works, ping prints
 * `socket: Operation not permitted` and the check fails with `config`/`icmp_unavailable`.
 *
 * Flags: `-n` (no reverse lookups), `-c COUNT`, `-i 0.2` (the shortest interval iputils
 * allows without privilege), `-W SECONDS` (how long to wait for the last reply; sized so
 * the whole run ends before the check's timeout; fractional values need iputils >= 20210202),
 * `-6` for IPv6 literals. The output is parsed with LC_ALL=C so it is always English.
 *
 * `latencyMs` of a result is the average round trip, not the wall time of the ping run
 * (which is mostly the 0.2 s interval); the wall time is `timings.totalMs`.
 */

export interface PingStats {
  transmitted: number;
  received: number;
  duplicates: number;
  /** ICMP errors received (e.g. Destination Host Unreachable). */
  errors: number;
  lossPercent: number;
  rtt?: { minMs: number; avgMs: number; maxMs: number; mdevMs: number } | undefined;
}

export type PingOutput =
  | {
      kind: 'stats';
      stats: PingStats;
      /** The address ping resolved the host to ("PING host (address)"). */
      address?: string | undefined;
      /** Round trips of the replies that were printed, ms. */
      replies: number[];
      /** The first ICMP error line ("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable"). */
      icmpError?: string | undefined;
    }
  | { kind: 'unknown_host'; line: string }
  | { kind: 'not_permitted'; line: string }
  | { kind: 'network_unreachable'; line: string }
  | { kind: 'unrecognised'; line: string; replies: number[] };

const STATS_RE =
  /(\d+) packets transmitted, (\d+) (?:packets )?received(?:, \+(\d+) duplicates)?(?:, \+(\d+) errors)?, ([\d.]+)% packet loss/;
// iputils prints "rtt min/avg/max/mdev", busybox "round-trip min/avg/max".
const RTT_RE = /(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)(?:\/([\d.]+))? ms/;
const REPLY_RE = /^\d+ bytes from .*?time[=<]([\d.]+) ms/gm;
const NOT_PERMITTED_RE = /socket: (Operation not permitted|Permission denied)|missing cap_net_raw|are you root/i;
const UNKNOWN_HOST_RE =
  /Name or service not known|Temporary failure in name resolution|No address associated with hostname|unknown host|Name has no usable address/i;

function firstLineMatching(output: string, re: RegExp): string {
  return (
    output
      .split('\n')
      .find((l) => re.test(l))
      ?.trim() ??
    output.trim().split('\n')[0] ??
    ''
  );
}

/** Parses what iputils (or busybox) ping printed on stdout and stderr. Pure. */
export function parsePingOutput(output: string): PingOutput {
  const replies = [...output.matchAll(REPLY_RE)].map((m) => Number(m[1]));
  const stats = STATS_RE.exec(output);
  if (stats) {
    const rtt = RTT_RE.exec(output);
    const address = /^PING \S+? ?\(([^)]+)\)/m.exec(output)?.[1];
    const icmpError = output.split('\n').find((l) => /^From \S+.*icmp_seq=\d+ /.test(l));
    return {
      kind: 'stats',
      stats: {
        transmitted: Number(stats[1]),
        received: Number(stats[2]),
        duplicates: Number(stats[3] ?? 0),
        errors: Number(stats[4] ?? 0),
        lossPercent: Number(stats[5]),
        rtt: rtt
          ? { minMs: Number(rtt[1]), avgMs: Number(rtt[2]), maxMs: Number(rtt[3]), mdevMs: Number(rtt[4] ?? 0) }
          : undefined,
      },
      address,
      replies,
      icmpError: icmpError?.trim(),
    };
  }
  if (NOT_PERMITTED_RE.test(output)) return { kind: 'not_permitted', line: firstLineMatching(output, /socket:/) };
  if (UNKNOWN_HOST_RE.test(output)) return { kind: 'unknown_host', line: firstLineMatching(output, UNKNOWN_HOST_RE) };
  if (/Network is unreachable/i.test(output)) {
    return { kind: 'network_unreachable', line: firstLineMatching(output, /Network is unreachable/i) };
  }
  return { kind: 'unrecognised', line: firstLineMatching(output, /ping/i), replies };
}

const HOW_TO_ENABLE =
  'give ping the capability (setcap cap_net_raw+ep /usr/bin/ping, as the iputils-ping package does) ' +
  "or allow ICMP datagram sockets for Mainstay's group (sysctl -w net.ipv4.ping_group_range='0 2147483647')";

const MAX_OUTPUT = 64 * 1024;
const INTERVAL_S = 0.2;

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export interface IcmpProbeOptions {
  /** The ping executable; `ping` from PATH by default. */
  command?: string;
}

export function createIcmpProbe(options: IcmpProbeOptions = {}): Probe<IcmpSpec> {
  const command = options.command ?? 'ping';
  return (spec, ctx) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const host = spec.host.replace(/^\[(.*)\]$/, '$1');
    const details: Record<string, unknown> = { host, count: spec.count };
    if (ctx.signal.aborted) {
      return Promise.resolve(
        failure('response', 'timeout', `ping to ${host} did not start before the ${ctx.timeoutMs} ms timeout`, 0, {
          details,
        }),
      );
    }

    // Wait for the last reply as long as the timeout allows after the interval between the packets.
    const budgetS = ctx.timeoutMs / 1000 - (spec.count - 1) * INTERVAL_S - 0.15;
    const waitS = Math.min(10, Math.max(0.1, budgetS));
    const args = ['-n', '-c', String(spec.count), '-i', String(INTERVAL_S), '-W', waitS.toFixed(1)];
    if (net.isIPv6(host)) args.push('-6');
    args.push(host);

    return new Promise<ProbeResult>((resolve) => {
      let output = '';
      let settled = false;
      const finish = (result: ProbeResult) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(result);
      };

      const child = spawn(command, args, {
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const collect = (chunk: Buffer) => {
        if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);

      const onAbort = () => {
        child.kill('SIGKILL');
        const so = parsePingOutput(output);
        const replies = so.kind === 'stats' || so.kind === 'unrecognised' ? so.replies.length : 0;
        const ms = elapsed();
        finish(
          failure(
            'response',
            'timeout',
            `ping to ${host} did not finish within ${ctx.timeoutMs} ms (${replies} of ${spec.count} replies so far)`,
            ms,
            { timings: { totalMs: ms }, details: { ...details, repliesSoFar: replies } },
          ),
        );
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });

      child.on('error', (err: NodeJS.ErrnoException) => {
        const why =
          err.code === 'ENOENT'
            ? `the ping command (${command}) is not installed: install iputils-ping (apt-get install iputils-ping)`
            : `the ping command (${command}) could not be started (${err.code ?? err.message}): ${HOW_TO_ENABLE}`;
        finish(failure('config', 'icmp_unavailable', why, elapsed(), { details: { ...details, error: err.message } }));
      });

      child.on('close', (exitCode) => {
        finish(judge(spec, host, parsePingOutput(output), output, exitCode, elapsed(), details));
      });
    });
  };
}

function judge(
  spec: IcmpSpec,
  host: string,
  parsed: PingOutput,
  output: string,
  exitCode: number | null,
  wallMs: number,
  base: Record<string, unknown>,
): ProbeResult {
  const excerpt = output.slice(0, 2000);
  const timings = { totalMs: wallMs };
  switch (parsed.kind) {
    case 'not_permitted':
      return failure(
        'config',
        'icmp_unavailable',
        `ping may not open an ICMP socket here (${parsed.line}): ${HOW_TO_ENABLE}`,
        wallMs,
        { timings, details: { ...base, exitCode, output: excerpt } },
      );
    case 'unknown_host':
      return failure('dns', 'name_not_resolved', `ping could not resolve ${host}: ${parsed.line}`, wallMs, {
        timings,
        details: { ...base, exitCode, output: excerpt },
      });
    case 'network_unreachable':
      return failure('connect', 'network_unreachable', `no route to ${host}: ${parsed.line}`, wallMs, {
        timings,
        details: { ...base, exitCode, output: excerpt },
      });
    case 'unrecognised':
      return failure(
        'request',
        'ping_failed',
        `ping exited with ${exitCode ?? 'a signal'} and no statistics: ${parsed.line || '(no output)'}`,
        wallMs,
        { timings, details: { ...base, exitCode, output: excerpt } },
      );
    case 'stats':
      break;
  }

  const { stats } = parsed;
  const avg = stats.rtt?.avgMs;
  const latencyMs = avg !== undefined ? round(avg) : wallMs;
  const details: Record<string, unknown> = {
    ...base,
    address: parsed.address,
    transmitted: stats.transmitted,
    received: stats.received,
    duplicates: stats.duplicates,
    errors: stats.errors,
    lossPercent: stats.lossPercent,
    rtt: stats.rtt,
    exitCode,
  };
  const rttText = stats.rtt
    ? `rtt min/avg/max/mdev ${stats.rtt.minMs}/${stats.rtt.avgMs}/${stats.rtt.maxMs}/${stats.rtt.mdevMs} ms`
    : 'no round trips';
  const counts = `${stats.received} of ${stats.transmitted} replies`;

  if (stats.lossPercent > spec.maxLossPercent) {
    if (stats.received === 0) {
      const code = parsed.icmpError ? 'host_unreachable' : 'no_reply';
      const why = parsed.icmpError ? `: ${parsed.icmpError}` : '';
      return failure(
        'response',
        code,
        `no reply from ${host} to ${stats.transmitted} pings (100% loss)${why}`,
        wallMs,
        {
          timings,
          details: { ...details, icmpError: parsed.icmpError },
        },
      );
    }
    const lost = stats.transmitted - stats.received;
    return failure(
      'assertion',
      'packet_loss',
      `${lost} of ${stats.transmitted} pings to ${host} lost (${stats.lossPercent}% loss, more than the ${spec.maxLossPercent}% allowed); ${rttText}`,
      latencyMs,
      { timings, details },
    );
  }
  if (spec.maxRttMs !== undefined && avg !== undefined && avg > spec.maxRttMs) {
    return failure(
      'assertion',
      'rtt_too_high',
      `average round trip to ${host} is ${avg} ms, above the ${spec.maxRttMs} ms allowed (${rttText}, ${counts})`,
      latencyMs,
      { timings, details },
    );
  }
  return {
    ok: true,
    latencyMs,
    message: `${counts} from ${host} (${stats.lossPercent}% loss), ${rttText}`,
    timings,
    details,
  };
}

export const icmpProbe: Probe<IcmpSpec> = createIcmpProbe();
