import { checkIntegrity } from './integrity.js';
import {
  checkDeliveries,
  checkFlushedOnce,
  checkGroupsResolved,
  checkIncidents,
  checkIntake,
  type Report,
} from './invariants.js';
import { checkEscalations, checkQueue, type QueueSnapshot } from './invariants-queue.js';
import type { Ledger } from './load.js';
import type { SqlHandle } from './process.js';
import type { Delivery } from './receivers.js';
import { DELIVERY_TARGETS, ESCALATION_RECEIVERS, INTEGRATIONS, POLICIES } from './scenario.js';

/**
 * Every crash invariant of the scenario's resources, then the database's integrity: logs each
 * report's figures (and the integrity notes) and returns the problems, each named by its check.
 */
export async function checkAllInvariants(
  db: SqlHandle,
  ledger: Ledger,
  hookLog: readonly Delivery[],
  snapshots: readonly QueueSnapshot[],
  log: (line: string) => void,
): Promise<string[]> {
  const reports: Array<[string, Report]> = [
    ['intake', await checkIntake(db, ledger, INTEGRATIONS)],
    ['incidents', await checkIncidents(db, ESCALATION_RECEIVERS)],
    ['groups', checkGroupsResolved(hookLog)],
    ['flushes', await checkFlushedOnce(db)],
    ['deliveries', await checkDeliveries(db, hookLog, DELIVERY_TARGETS)],
    ['escalations', await checkEscalations(db, POLICIES)],
    ['queue', await checkQueue(db, snapshots)],
  ];
  const integrity = await checkIntegrity(db);
  reports.push(['integrity', integrity]);
  for (const [name, r] of reports) {
    const figures = Object.entries(r.figures).map(([k, v]) => `${k}=${v}`);
    if (figures.length) log(`${name}: ${figures.join(' ')}`);
  }
  for (const note of integrity.notes) log(note);
  return reports.flatMap(([name, r]) => r.problems.map((p) => `${name}: ${p}`));
}
