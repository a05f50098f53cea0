import YAML from 'yaml';
import { UsageError } from './errors.js';

export const OUTPUT_FORMATS = ['table', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UsageError(`unknown output format ${JSON.stringify(value)}`, {
    hint: `use one of ${OUTPUT_FORMATS.join(', ')}`,
  });
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** A plain aligned table: upper-case headers, two spaces between columns, `-` for empty cells. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(String).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

/** Documents as one YAML stream, `---` between documents. */
export function formatYamlDocuments(documents: readonly unknown[]): string {
  return documents.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n');
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `2026-03-01T10:00:00.000Z` → `2026-03-01 10:00Z`; a short form for tables. */
export function shortTime(iso: unknown): string | undefined {
  if (typeof iso !== 'string' || !iso) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}Z` : iso;
}

/** `35s ago`, `4m ago`, `2h ago`, `3d ago`: how long ago, for tables; undefined without a time. */
export function ago(iso: unknown, now = Date.now()): string | undefined {
  if (typeof iso !== 'string' || !iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
