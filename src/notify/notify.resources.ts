import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Executor } from '../platform/db/database.js';
import { ConflictError } from '../platform/errors.js';
import { type ConfigTable, configKind } from '../platform/resources/config-table.js';
import { type ResourceKind, ResourceNameSchema } from '../platform/resources/resource.js';
import { type ChannelSpec, ChannelSpecSchema } from './channel.model.js';
import { contactStore } from './notify.store.js';

/** The Channel kind: a notification transport (webhook, Slack, Teams, email, ntfy, Telegram, SMS, voice). */
export function notifyKinds(
  table: ConfigTable,
  deps: {
    clock: Clock;
    audit: AuditStore;
    /** Who else refers to a channel (escalation policies); answers a description or undefined. */
    referrers: Array<(exec: Executor, name: string) => Promise<string | undefined>>;
  },
): ResourceKind<ChannelSpec>[] {
  return [
    configKind<ChannelSpec>(table, deps, {
      kind: 'Channel',
      plural: 'channels',
      description: 'A notification channel: webhook, Slack, Teams, email, ntfy, Telegram, SMS or voice',
      order: 35,
      nameSchema: ResourceNameSchema,
      specSchema: ChannelSpecSchema as never,
      beforeDelete: async (exec, name) => {
        const n = await contactStore.usingChannel(exec, name);
        if (n > 0)
          throw new ConflictError(`channel ${name} carries ${n} contact method(s)`, {
            hint: 'remove or move those contact methods first',
          });
        for (const referrer of deps.referrers) {
          const by = await referrer(exec, name);
          if (by) throw new ConflictError(`channel ${name} is used by ${by}`, { hint: 'change that first' });
        }
      },
    }),
  ];
}
