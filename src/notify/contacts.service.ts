import type { Principal } from '../platform/accounts/index.js';
import { usersStore } from '../platform/accounts/users.store.js';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { InputError, NotAllowedError, NotFoundError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { addressError, type ChannelSpec, hasDefaultAddress } from './channel.model.js';
import {
  type ContactMethod,
  type ContactMethodInput,
  maskAddress,
  type NotificationRule,
  type NotificationRuleInput,
} from './contact.model.js';
import { type ContactRow, contactStore } from './notify.store.js';

/** How a step of the page plan reaches a person: a contact method, its channel and address, a delay. */
export interface ContactPlanStep {
  contactMethodId: string;
  channel: string;
  address: string | null;
  delayMs: number;
}

export interface ContactsServiceOptions {
  database: Database;
  clock: Clock;
  audit: AuditStore;
  /** The Channel resources contact methods point at (NotifyService owns them). */
  channels: { channel(exec: Executor, name: string): Promise<ChannelSpec | undefined> };
}

/**
 * People's contact methods (a channel plus their address on it) and notification rules (which
 * method, after how long, for which urgency): who may manage them, their validation and audit, and
 * the page plan the escalator follows for one person.
 */
export class ContactsService {
  constructor(private readonly o: ContactsServiceOptions) {}

  /** Throws unless `p` may manage the contact methods of `userId` (their own, or anyone's as an admin). */
  mayManage(p: Principal, userId: string, write = true): string {
    const id =
      userId === 'me' || (p.email !== null && userId.toLowerCase() === p.email.toLowerCase()) ? p.userId : userId;
    if (!id) throw new NotAllowedError('sign in as a user to manage contact methods');
    const admin = p.globalRole === 'admin' && (p.via !== 'token' || p.ceiling === 'admin');
    if (id !== p.userId && !admin)
      throw new NotAllowedError(`only an admin may ${write ? 'change' : 'see'} another person's contact methods`);
    return id;
  }

  private async userFor(p: Principal, userId: string, write: boolean): Promise<string> {
    const id = this.mayManage(p, userId, write);
    // `:userId` may be the id or the email (as the shifts API takes it).
    const user = id.includes('@')
      ? await usersStore.byEmail(this.o.database.db, id.toLowerCase())
      : await usersStore.byId(this.o.database.db, id);
    if (!user) throw new NotFoundError(`no user ${userId}`);
    return user.id;
  }

  private async view(exec: Executor, r: ContactRow): Promise<ContactMethod> {
    const spec = await this.o.channels.channel(exec, r.channel);
    return {
      id: r.id,
      userId: r.user_id,
      name: r.name,
      channel: r.channel,
      channelType: spec?.type ?? null,
      address: r.address,
      createdAt: new Date(Number(r.created_at)).toISOString(),
    };
  }

  async listContacts(p: Principal, userId: string): Promise<ContactMethod[]> {
    const id = await this.userFor(p, userId, false);
    const db = this.o.database.db;
    return Promise.all((await contactStore.list(db, id)).map((r) => this.view(db, r)));
  }

  private async checkContact(exec: Executor, input: ContactMethodInput): Promise<ChannelSpec> {
    const spec = await this.o.channels.channel(exec, input.channel);
    if (!spec)
      throw new InputError(`no channel named ${input.channel}`, {
        fields: [{ path: 'channel', message: 'no such channel' }],
        hint: 'create the Channel first (mainstay apply, or Settings → Channels)',
      });
    const err = addressError(spec, input.address);
    if (err) throw new InputError(`address: ${err}`, { fields: [{ path: 'address', message: err }] });
    if (input.address === undefined && !hasDefaultAddress(spec) && !['webhook', 'slack', 'teams'].includes(spec.type))
      throw new InputError(`a ${spec.type} contact method needs an address`, {
        fields: [{ path: 'address', message: 'required for this channel' }],
      });
    return spec;
  }

  async createContact(p: Principal, actor: Actor, userId: string, input: ContactMethodInput): Promise<ContactMethod> {
    const id = await this.userFor(p, userId, true);
    return this.o.database.transaction(async (trx) => {
      await this.checkContact(trx, input);
      if (await contactStore.find(trx, id, input.name))
        throw new InputError(`a contact method named ${input.name} exists`, {
          fields: [{ path: 'name', message: 'already used' }],
        });
      const now = this.o.clock.now();
      const row: ContactRow = {
        id: newId(now),
        user_id: id,
        name: input.name,
        channel: input.channel,
        address: input.address ?? null,
        created_at: now,
        updated_at: now,
      };
      await contactStore.insert(trx, row);
      await this.o.audit.record(trx, actor, {
        action: 'contact-methods.create',
        resourceType: 'ContactMethod',
        resourceId: row.id,
        resourceName: `${id}/${row.name}`,
        after: { channel: row.channel, address: maskAddress(row.address) },
      });
      return this.view(trx, row);
    });
  }

  async deleteContact(p: Principal, actor: Actor, userId: string, nameOrId: string): Promise<void> {
    const id = await this.userFor(p, userId, true);
    await this.o.database.transaction(async (trx) => {
      const row = await contactStore.find(trx, id, nameOrId);
      if (!row) throw new NotFoundError(`no contact method ${nameOrId}`);
      await contactStore.delete(trx, row.id);
      await this.o.audit.record(trx, actor, {
        action: 'contact-methods.delete',
        resourceType: 'ContactMethod',
        resourceId: row.id,
        resourceName: `${id}/${row.name}`,
      });
    });
  }

  async listRules(p: Principal, userId: string): Promise<NotificationRule[]> {
    const id = await this.userFor(p, userId, false);
    const db = this.o.database.db;
    const contacts = new Map((await contactStore.list(db, id)).map((c) => [c.id, c.name]));
    return (await contactStore.rules(db, id)).map((r) => ({
      id: r.id,
      urgency: r.urgency as NotificationRule['urgency'],
      delayMinutes: Number(r.delay_minutes),
      contactMethodId: r.contact_method_id,
      contactMethod: contacts.get(r.contact_method_id) ?? '?',
    }));
  }

  async setRules(
    p: Principal,
    actor: Actor,
    userId: string,
    rules: NotificationRuleInput[],
  ): Promise<NotificationRule[]> {
    const id = await this.userFor(p, userId, true);
    await this.o.database.transaction(async (trx) => {
      const now = this.o.clock.now();
      const rows = [];
      for (const [i, r] of rules.entries()) {
        const c = await contactStore.find(trx, id, r.contactMethod);
        if (!c)
          throw new InputError(`rules.${i}.contactMethod: no contact method ${r.contactMethod}`, {
            fields: [{ path: `rules.${i}.contactMethod`, message: 'no such contact method' }],
          });
        rows.push({
          id: newId(now),
          user_id: id,
          urgency: r.urgency,
          delay_minutes: r.delayMinutes,
          contact_method_id: c.id,
          created_at: now + i,
        });
      }
      await contactStore.replaceRules(trx, id, rows, this.o.database.engine);
      await this.o.audit.record(trx, actor, {
        action: 'notification-rules.update',
        resourceType: 'NotificationRules',
        resourceId: id,
        resourceName: id,
        after: rules,
      });
    });
    return this.listRules(p, userId);
  }

  /**
   * How `userId` is reached for a page of this urgency: their rules (delay and contact method), or,
   * with no rules, every contact method at once. Empty when they have no contact method at all.
   */
  async planFor(exec: Executor, userId: string, urgency: 'high' | 'low'): Promise<ContactPlanStep[]> {
    const contacts = new Map((await contactStore.list(exec, userId)).map((c) => [c.id, c]));
    const all = await contactStore.rules(exec, userId);
    const matching = all.filter((r) => r.urgency === 'any' || r.urgency === urgency);
    // Rules written for the other urgency only still say how this person wants to be reached.
    const rules = matching.length ? matching : all;
    const plan = rules.length
      ? rules.flatMap((r) => {
          const c = contacts.get(r.contact_method_id);
          return c ? [{ c, delayMs: Number(r.delay_minutes) * 60_000 }] : [];
        })
      : [...contacts.values()].map((c) => ({ c, delayMs: 0 }));
    return plan.map(({ c, delayMs }) => ({ contactMethodId: c.id, channel: c.channel, address: c.address, delayMs }));
  }
}
