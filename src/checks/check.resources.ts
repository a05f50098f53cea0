import type { Executor } from '../platform/db/database.js';
import type { ResourceKind, StoredResource } from '../platform/resources/resource.js';
import { CheckNameSchema, type CheckSpec, CheckSpecSchema } from './check.model.js';
import type { CheckService } from './check.service.js';
import { checkStore, toRecord } from './check.store.js';

/** `Check` documents: metadata.name is the check's name, spec the check without it. */
export function checkKind(checks: CheckService): ResourceKind<CheckSpec> {
  const stored = (row: Awaited<ReturnType<typeof checkStore.all>>[number]): StoredResource<CheckSpec> => {
    const c = toRecord(row);
    return { name: c.name, labels: c.labels, spec: c.spec };
  };
  return {
    kind: 'Check',
    plural: 'checks',
    description: 'A synthetic check (http, tcp, dns, tls, icmp, heartbeat, sql, ssh)',
    writeRole: 'editor',
    // After secrets (which checks reference); dependsOn targets must come earlier in the same apply.
    order: 30,
    nameSchema: CheckNameSchema,
    specSchema: CheckSpecSchema,
    // Specs are stored parsed (defaults filled), so the parsed document is already canonical.
    canonical: (_name, spec) => spec,
    list: async (exec) => (await checkStore.all(exec)).map(stored),
    get: async (exec, name) => {
      const row = await checkStore.byName(exec, name);
      return row ? stored(row) : undefined;
    },
    create: async (exec, actor, res) => {
      await checks.create(actor, { name: res.name, labels: res.labels, spec: res.spec }, exec);
    },
    update: async (exec, actor, res) => {
      await checks.update(actor, res.name, { name: res.name, labels: res.labels, spec: res.spec }, exec);
    },
    delete: (exec, actor, name) => checks.delete(actor, name, exec),
    settle: (exec: Executor, committed: boolean) => checks.settle(exec, committed),
  };
}
