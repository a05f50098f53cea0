import type { z } from 'zod';
import { type FieldError, InputError } from '../errors.js';

/** Turns zod issues into field errors with dotted paths (`spec.members.0.role`). */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const parts = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    }
    return { path: parts.join('.'), message };
  });
}

/** Parses `value` with `schema` or throws an InputError that names every bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string, prefix?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error, prefix);
  const first = fields[0];
  throw new InputError(`invalid ${where}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`, {
    fields,
    hint: 'fix the fields listed in `fields` and send the request again',
  });
}
