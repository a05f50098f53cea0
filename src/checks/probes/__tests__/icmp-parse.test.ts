import { describe, expect, it } from 'vitest';
import { parsePingOutput } from '../icmp.probe.js';

/**
 * Real output of iputils-ping 20221126 (Debian 12) run with LC_ALL=C, captured on this
 * kind of machine. Loss on loopback was produced inside a private network namespace
 * (`unshare -n`) by setting net.ipv4.icmp_echo_ignore_all there: all at once for 100%
 * loss, half way through the run for partial loss. The permission sample is a copy of
 * ping without its file capability run as nobody with ping_group_range "1 0".
 */

const SUCCESS = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.289 ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.048 ms

--- 127.0.0.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 202ms
rtt min/avg/max/mdev = 0.048/0.168/0.289/0.120 ms
`;

const SUCCESS_IPV6 = `PING ::1(::1) 56 data bytes
64 bytes from ::1: icmp_seq=1 ttl=64 time=0.242 ms
64 bytes from ::1: icmp_seq=2 ttl=64 time=0.050 ms

--- ::1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 204ms
rtt min/avg/max/mdev = 0.050/0.146/0.242/0.096 ms
`;

const PARTIAL_LOSS = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.313 ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.044 ms
64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.047 ms
64 bytes from 127.0.0.1: icmp_seq=4 ttl=64 time=0.049 ms
64 bytes from 127.0.0.1: icmp_seq=5 ttl=64 time=0.049 ms

--- 127.0.0.1 ping statistics ---
10 packets transmitted, 5 received, 50% packet loss, time 1848ms
rtt min/avg/max/mdev = 0.044/0.100/0.313/0.106 ms
`;

const TOTAL_LOSS = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.

--- 127.0.0.1 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 411ms

`;

// The shape iputils prints when a router answers with ICMP errors (documented output, not captured here:
// producing it needs traffic to a non-loopback address).
const UNREACHABLE = `PING 10.0.0.5 (10.0.0.5) 56(84) bytes of data.
From 10.0.0.1 icmp_seq=1 Destination Host Unreachable
From 10.0.0.1 icmp_seq=2 Destination Host Unreachable
From 10.0.0.1 icmp_seq=3 Destination Host Unreachable

--- 10.0.0.5 ping statistics ---
3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2042ms
pipe 3
`;

const UNKNOWN_HOST = 'ping: nonexistent.invalid: Name or service not known\n';

const NOT_PERMITTED = `/tmp/ping-nocap: socktype: SOCK_RAW
/tmp/ping-nocap: socket: Operation not permitted
/tmp/ping-nocap: => missing cap_net_raw+p capability or setuid?
`;

const NETWORK_UNREACHABLE = 'ping: connect: Network is unreachable\n';

describe('parsePingOutput (iputils samples)', () => {
  it('success: counts, no loss, rtt min/avg/max/mdev, the resolved address and each reply', () => {
    expect(parsePingOutput(SUCCESS)).toEqual({
      kind: 'stats',
      stats: {
        transmitted: 2,
        received: 2,
        duplicates: 0,
        errors: 0,
        lossPercent: 0,
        rtt: { minMs: 0.048, avgMs: 0.168, maxMs: 0.289, mdevMs: 0.12 },
      },
      address: '127.0.0.1',
      replies: [0.289, 0.048],
      icmpError: undefined,
    });
  });

  it('success over IPv6: the header without a space before the address still gives the address', () => {
    const parsed = parsePingOutput(SUCCESS_IPV6);
    expect(parsed).toMatchObject({ kind: 'stats', address: '::1', stats: { received: 2, lossPercent: 0 } });
  });

  it('partial loss: received below transmitted, loss percent and rtt of the replies', () => {
    expect(parsePingOutput(PARTIAL_LOSS)).toMatchObject({
      kind: 'stats',
      stats: {
        transmitted: 10,
        received: 5,
        lossPercent: 50,
        rtt: { minMs: 0.044, avgMs: 0.1, maxMs: 0.313, mdevMs: 0.106 },
      },
      replies: [0.313, 0.044, 0.047, 0.049, 0.049],
    });
  });

  it('100% loss: statistics without an rtt line', () => {
    const parsed = parsePingOutput(TOTAL_LOSS);
    expect(parsed).toMatchObject({ kind: 'stats', stats: { transmitted: 3, received: 0, lossPercent: 100 } });
    expect(parsed.kind === 'stats' && parsed.stats.rtt).toBeUndefined();
  });

  it('100% loss with ICMP errors: the error count and the first error line', () => {
    expect(parsePingOutput(UNREACHABLE)).toMatchObject({
      kind: 'stats',
      stats: { transmitted: 3, received: 0, errors: 3, lossPercent: 100 },
      icmpError: 'From 10.0.0.1 icmp_seq=1 Destination Host Unreachable',
    });
  });

  it('duplicates are counted apart from replies', () => {
    const dup =
      '--- h ping statistics ---\n5 packets transmitted, 5 received, +1 duplicates, 0% packet loss, time 4005ms\n';
    expect(parsePingOutput(dup)).toMatchObject({ stats: { received: 5, duplicates: 1, lossPercent: 0 } });
  });

  it('unknown host: the resolver error line', () => {
    expect(parsePingOutput(UNKNOWN_HOST)).toEqual({
      kind: 'unknown_host',
      line: 'ping: nonexistent.invalid: Name or service not known',
    });
  });

  it('no capability and no ICMP datagram sockets: not permitted, with the socket line', () => {
    expect(parsePingOutput(NOT_PERMITTED)).toEqual({
      kind: 'not_permitted',
      line: '/tmp/ping-nocap: socket: Operation not permitted',
    });
  });

  it('no route: network unreachable', () => {
    expect(parsePingOutput(NETWORK_UNREACHABLE)).toEqual({
      kind: 'network_unreachable',
      line: 'ping: connect: Network is unreachable',
    });
  });

  it('anything else is unrecognised with its first line', () => {
    expect(parsePingOutput("ping: invalid argument: '0'\n")).toMatchObject({
      kind: 'unrecognised',
      line: "ping: invalid argument: '0'",
    });
  });
});
