import { type RawBuilder, sql } from 'kysely';

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * `column` contains `needle` literally (no wildcards), case-insensitively on request.
 * `LIKE … ESCAPE '\'` means the same on SQLite and PostgreSQL.
 */
export function containsText(
  column: string,
  needle: string,
  opts: { caseInsensitive?: boolean } = {},
): RawBuilder<boolean> {
  const pattern = `%${escapeLike(opts.caseInsensitive ? needle.toLowerCase() : needle)}%`;
  const ref = opts.caseInsensitive ? sql`lower(${sql.ref(column)})` : sql.ref(column);
  return sql<boolean>`${ref} like ${pattern} escape '\\'`;
}
