/**
 * Reusable pieces of the crash and restart tests (test/crash/crash.process.test.ts), for any test
 * that runs real `mainstay serve` processes under load and checks what survived:
 *
 * - process.ts: ServeProcess (spawn, kill -9, restart on the same port and data, graceful stop),
 *   createPgSchema (a fresh schema and the MAINSTAY_DATABASE_URL for it), SqlHandle on either engine.
 * - receivers.ts: a webhook receiver that logs every delivery with its idempotency key (and fails or
 *   delays some on purpose), and a switchable HTTP target for checks.
 * - load.ts: LoadDriver (PagerDuty, Alertmanager, check flips, incident acks against any live
 *   instance, retried until answered) and its Ledger of what was answered.
 * - scenario.ts: the resources (route tree, receivers, escalation policy, schedule, integrations,
 *   checks) and their delivery targets.
 * - invariants.ts / invariants-queue.ts / integrity.ts: the invariant checks (all-invariants.ts runs them all), each on a SqlHandle
 *   (plus the receiver log or the ledger), returning problems and figures instead of throwing.
 * - settle.ts: waiting until the work drained (pendingWork, settle) and what to print when it did not.
 * - rng.ts: the seeded randomness (CRASH_TEST_SEED replays a run's choices).
 */

export { checkAllInvariants } from './all-invariants.js';
export { checkIntegrity } from './integrity.js';
export {
  checkDeliveries,
  checkFlushedOnce,
  checkGroupsResolved,
  checkIncidents,
  checkIntake,
  type DeliveryTargets,
  type Report,
} from './invariants.js';
export { checkEscalations, checkQueue, OVERDUE_MS, type QueueSnapshot, snapshotQueue } from './invariants-queue.js';
export { type Answer, type Ledger, LoadDriver, type LoadSpec, request, type Urls } from './load.js';
export {
  ADMIN,
  BUILT,
  createPgSchema,
  ENTRY,
  freePort,
  openPostgres,
  openSqlite,
  ROOT,
  type Row,
  type ServeOptions,
  ServeProcess,
  type SqlHandle,
} from './process.js';
export {
  type CheckTarget,
  type Delivery,
  startCheckTarget,
  startWebhookReceiver,
  type WebhookReceiver,
} from './receivers.js';
export { type Rng, seededRandom, testSeed } from './rng.js';
export {
  adminToken,
  crashDocuments,
  DELIVERY_TARGETS,
  ESCALATION_RECEIVERS,
  INTEGRATIONS,
  POLICIES,
  setUpScenario,
} from './scenario.js';
export { diagnose, pendingWork, settle } from './settle.js';
