import type { SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { InputError } from '../errors.js';

/** Query parameters every list endpoint accepts. Lists are always paged on the server. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('items per page (1–500)'),
  offset: z.coerce.number().int().min(0).default(0).describe('items to skip'),
  sort: z
    .string()
    .regex(/^-?[A-Za-z][A-Za-z0-9]*$/, 'a field name, prefixed with - for descending')
    .optional()
    .describe('field to sort by; prefix with - for descending'),
  q: z.string().max(200).optional().describe('case-insensitive text filter'),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/**
 * Runs a filtered query as one page: a count and a slice ordered by an allowed
 * field (then by id, so pages are stable).
 */
export async function paginate<T>(
  // biome-ignore lint/suspicious/noExplicitAny: works over any table's query
  qb: SelectQueryBuilder<any, any, object>,
  page: Pick<PageQuery, 'limit' | 'offset' | 'sort'>,
  sorts: Readonly<Record<string, string>>,
  defaultSort: string,
  // biome-ignore lint/suspicious/noExplicitAny: rows are mapped by the caller
  map: (row: any) => T,
): Promise<Page<T>> {
  const sort = page.sort ?? defaultSort;
  const desc = sort.startsWith('-');
  const key = desc ? sort.slice(1) : sort;
  const column = sorts[key];
  if (!column) {
    throw new InputError(`cannot sort by ${key}`, {
      fields: [{ path: 'sort', message: `must be one of ${Object.keys(sorts).join(', ')}` }],
      hint: `sortable fields: ${Object.keys(sorts).join(', ')}`,
    });
  }
  const dir = desc ? 'desc' : 'asc';
  const countRow = await qb.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await qb
    .selectAll()
    .orderBy(column, dir)
    .orderBy('id', dir)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    items: rows.map(map),
    total: Number((countRow as { n?: unknown })?.n ?? 0),
    limit: page.limit,
    offset: page.offset,
  };
}
