import type { ProbeMap } from '../check.runtime.js';
import { dnsProbe } from './dns.probe.js';
import { httpProbe } from './http.probe.js';
import { icmpProbe } from './icmp.probe.js';
import { sqlProbe } from './sql.probe.js';
import { sshProbe } from './ssh.probe.js';
import { tcpProbe } from './tcp.probe.js';
import { tlsProbe } from './tls.probe.js';

/** Every probe by check kind. Heartbeat checks have none: they are pushed to, not polled. */
export const PROBES: ProbeMap = {
  http: httpProbe,
  tcp: tcpProbe,
  dns: dnsProbe,
  tls: tlsProbe,
  icmp: icmpProbe,
  sql: sqlProbe,
  ssh: sshProbe,
};
