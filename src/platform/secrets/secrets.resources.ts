import { z } from 'zod';
import { InputError } from '../errors.js';
import type { ResourceKind } from '../resources/resource.js';
import { SecretNameSchema, type SecretsService } from './secrets.service.js';

const SecretSpec = z.strictObject({
  description: z.string().max(2000).default(''),
  /** The value. Exports leave it out; a document without it keeps the stored value. */
  value: z
    .string()
    .min(1)
    .max(64 * 1024)
    .optional(),
});
type SecretSpec = z.infer<typeof SecretSpec>;

const DIGEST = 'digest:';

/**
 * `Secret` documents. Plans compare values through a keyed digest (`digest:…`), so
 * a changed value shows as changed without the plaintext appearing anywhere; a
 * document without `value` keeps the stored one. Exports omit values entirely.
 */
export function secretKind(secrets: SecretsService): ResourceKind<SecretSpec> {
  const canonicalValue = (v: string | undefined, current: string | undefined) =>
    v === undefined ? current : v.startsWith(DIGEST) ? v : `${DIGEST}${secrets.digest(v)}`;
  const plaintext = (v: string | undefined): string | undefined => {
    if (v?.startsWith(DIGEST)) {
      throw new InputError('a digest is not a secret value', {
        fields: [{ path: 'value', message: 'send the real value, or leave value out to keep the stored one' }],
      });
    }
    return v;
  };
  return {
    kind: 'Secret',
    plural: 'secrets',
    description: 'A named secret (password, token, key) that other resources reference; values are write-only',
    writeRole: 'editor',
    order: 5,
    nameSchema: SecretNameSchema,
    specSchema: SecretSpec,
    canonical: (_name, spec, current) => {
      const value = canonicalValue(spec.value, current?.value);
      return { description: spec.description, ...(value ? { value } : {}) };
    },
    list: async (exec) =>
      (await secrets.all(exec)).map((r) => ({ name: r.name, labels: {}, spec: { description: r.description } })),
    get: async (exec, name) => {
      const row = await secrets.row(name, exec);
      if (!row) return undefined;
      return {
        name: row.name,
        labels: {},
        spec: { description: row.description, value: `${DIGEST}${await secrets.digestOf(name, exec)}` },
      };
    },
    create: async (exec, actor, res) => {
      const value = plaintext(res.spec.value);
      if (value === undefined) {
        throw new InputError(`secret ${res.name} does not exist yet, so it needs a value`, {
          fields: [{ path: 'value', message: 'required when the secret is new' }],
        });
      }
      await secrets.create(actor, { name: res.name, value, description: res.spec.description }, exec);
    },
    update: async (exec, actor, res) => {
      const current = await secrets.digestOf(res.name, exec);
      const value =
        res.spec.value?.startsWith(DIGEST) && res.spec.value === `${DIGEST}${current}`
          ? undefined
          : plaintext(res.spec.value);
      await secrets.update(actor, res.name, { value, description: res.spec.description }, exec);
    },
    delete: (exec, actor, name) => secrets.delete(actor, name, exec),
  };
}
