import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../audit/audit.model.js';
import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { containsText } from '../db/text-match.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { type Page, type PageQuery, paginate } from '../http/pagination.js';
import { newId } from '../ids.js';
import type { SecretBox } from './secret-box.js';

interface SecretsTables {
  secrets: {
    id: string;
    name: string;
    description: string;
    value_sealed: string;
    created_at: number;
    updated_at: number;
  };
}
type Row = SecretsTables['secrets'];

export const SecretNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/,
    'lowercase letters, digits, . _ -; starting and ending with a letter or digit',
  );

/** What the API shows of a secret: never its value. */
export const SecretViewSchema = z.object({
  name: z.string(),
  description: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type SecretView = z.infer<typeof SecretViewSchema>;

const view = (r: Row): SecretView => ({
  name: r.name,
  description: r.description,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const db = (exec: Executor) => exec as Kysely<SecretsTables>;

/**
 * Named secrets (passwords, tokens, keys) that other resources reference by name.
 * Values are sealed with the SecretBox; nothing returns them except `reveal`, which
 * only server-side code (probes, channels) calls. Audit entries record that a value
 * changed, never the value.
 */
export class SecretsService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
    private readonly box: SecretBox,
  ) {}

  list(page: PageQuery): Promise<Page<SecretView>> {
    let q = db(this.database.db).selectFrom('secrets');
    if (page.q) q = q.where(containsText('name', page.q, { caseInsensitive: true }));
    return paginate(q, page, { name: 'name', updatedAt: 'updated_at' }, 'name', view);
  }

  async row(name: string, exec: Executor = this.database.db): Promise<Row | undefined> {
    return db(exec).selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async get(name: string): Promise<SecretView> {
    const row = await this.row(name);
    if (!row) throw new NotFoundError(`no secret named ${name}`);
    return view(row);
  }

  /** The plaintext, for server-side use only (a probe logging in, a channel signing). */
  async reveal(name: string, exec?: Executor): Promise<string> {
    const row = await this.row(name, exec);
    if (!row)
      throw new NotFoundError(`no secret named ${name}`, {
        hint: 'create it under Settings → Secrets or with `mainstay secrets set`',
      });
    return this.box.open(row.value_sealed);
  }

  /** A keyed digest of a value: lets config-as-code tell "changed" from "unchanged" without plaintext. */
  digest(value: string): string {
    return createHmac('sha256', this.box.keyId).update(value).digest('base64url').slice(0, 22);
  }

  async digestOf(name: string, exec?: Executor): Promise<string | undefined> {
    const row = await this.row(name, exec);
    return row ? this.digest(this.box.open(row.value_sealed)) : undefined;
  }

  async create(
    actor: Actor,
    input: { name: string; value: string; description?: string | undefined },
    exec?: Executor,
  ): Promise<SecretView> {
    const run = async (trx: Executor) => {
      if (await this.row(input.name, trx)) {
        throw new ConflictError(`a secret named ${input.name} exists`, {
          code: 'already_exists',
          fields: [{ path: 'name', message: 'already taken' }],
        });
      }
      const now = this.clock.now();
      const row: Row = {
        id: newId(now),
        name: input.name,
        description: input.description ?? '',
        value_sealed: this.box.seal(input.value),
        created_at: now,
        updated_at: now,
      };
      try {
        await db(trx).insertInto('secrets').values(row).execute();
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError(`a secret named ${input.name} exists`, { code: 'already_exists' });
        throw err;
      }
      await this.audit.record(trx, actor, {
        action: 'secret.create',
        resourceType: 'secret',
        resourceId: row.id,
        resourceName: row.name,
        after: view(row),
      });
      return view(row);
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  async update(
    actor: Actor,
    name: string,
    patch: { value?: string | undefined; description?: string | undefined },
    exec?: Executor,
  ): Promise<SecretView> {
    const run = async (trx: Executor) => {
      const before = await this.row(name, trx);
      if (!before) throw new NotFoundError(`no secret named ${name}`);
      if (patch.value === undefined && patch.description === undefined) {
        throw new InputError('nothing to change', {
          fields: [{ path: 'value', message: 'send value or description' }],
        });
      }
      const now = this.clock.now();
      await db(trx)
        .updateTable('secrets')
        .set({
          ...(patch.value !== undefined ? { value_sealed: this.box.seal(patch.value) } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          updated_at: now,
        })
        .where('id', '=', before.id)
        .execute();
      const after = (await this.row(name, trx))!;
      await this.audit.record(trx, actor, {
        action: 'secret.update',
        resourceType: 'secret',
        resourceId: before.id,
        resourceName: name,
        before: view(before),
        after: { ...view(after), valueChanged: patch.value !== undefined },
      });
      return view(after);
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  async delete(actor: Actor, name: string, exec?: Executor): Promise<void> {
    const run = async (trx: Executor) => {
      const before = await this.row(name, trx);
      if (!before) throw new NotFoundError(`no secret named ${name}`);
      await db(trx).deleteFrom('secrets').where('id', '=', before.id).execute();
      await this.audit.record(trx, actor, {
        action: 'secret.delete',
        resourceType: 'secret',
        resourceId: before.id,
        resourceName: name,
        before: view(before),
      });
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  async all(exec: Executor): Promise<Row[]> {
    return db(exec).selectFrom('secrets').selectAll().orderBy('name').execute();
  }
}
