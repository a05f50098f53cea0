import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { type ApiClient, seg } from '../client.js';
import type { CliContext } from '../context.js';
import { displayPath } from '../documents.js';
import { type Column, formatJson, formatTable, formatYamlDocuments, parseFormat } from '../output.js';

export interface ResourceDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> } & Record<string, unknown>;
  spec: Record<string, unknown>;
}

interface KindInfo {
  kind: string;
  plural: string;
  description?: string;
  writeRole?: string;
}

type Doc = ResourceDocument;
const name: Column<Doc> = { header: 'name', value: (d) => d.metadata?.name };
const spec = (header: string, key: string): Column<Doc> => ({ header, value: (d) => d.spec?.[key] });
const count = (header: string, key: string): Column<Doc> => ({
  header,
  value: (d) => (Array.isArray(d.spec?.[key]) ? (d.spec[key] as unknown[]).length : 0),
});

const COLUMNS: Record<string, Column<Doc>[]> = {
  user: [
    name,
    spec('display name', 'name'),
    spec('role', 'role'),
    spec('time zone', 'timeZone'),
    spec('disabled', 'disabled'),
  ],
  team: [name, spec('display name', 'displayName'), count('members', 'members'), spec('description', 'description')],
};

/** Columns for a kind without its own: NAME and the first few scalar (or list) spec fields. */
function columnsFor(kind: string, docs: readonly Doc[]): Column<Doc>[] {
  const known = COLUMNS[kind.toLowerCase()];
  if (known) return known;
  const keys: string[] = [];
  for (const d of docs) {
    for (const [k, v] of Object.entries(d.spec ?? {})) {
      if (keys.length < 4 && !keys.includes(k) && (typeof v !== 'object' || v === null || Array.isArray(v)))
        keys.push(k);
    }
  }
  return [name, ...keys.map((k) => (docs.some((d) => Array.isArray(d.spec?.[k])) ? count(k, k) : spec(k, k)))];
}

/** A document with its keys in the order people write them, ready to apply again. */
export function applyable(d: Doc): Doc {
  const { apiVersion, kind, metadata, spec: s, ...rest } = d;
  return { apiVersion, kind, metadata, spec: s, ...rest };
}

/** `User` → `users`, `Policy` → `policies`; used when the server does not say. */
export function pluralize(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

async function kindPlurals(client: ApiClient): Promise<Map<string, string>> {
  try {
    const { kinds } = await client.get<{ kinds: KindInfo[] }>('/api/v1/resources');
    return new Map(kinds.map((k) => [k.kind, k.plural.toLowerCase()]));
  } catch {
    return new Map();
  }
}

export function registerResources(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('list resources of a kind (User, Team, …), or show one')
    .argument('<kind>', 'resource kind: User, user or users')
    .argument('[name]', 'resource name (a user’s email, a team’s slug)')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (kind: string, resourceName: string | undefined, opts: { output: string }, cmd: Command) => {
      const format = parseFormat(opts.output);
      const client = ctx.client(cmd);
      const docs = resourceName
        ? [await client.get<Doc>(`/api/v1/resources/${seg(kind)}/${seg(resourceName)}`)]
        : await client.list<Doc>(`/api/v1/resources/${seg(kind)}`);
      if (format === 'json')
        return ctx.write(formatJson(resourceName ? applyable(docs[0] as Doc) : docs.map(applyable)));
      if (format === 'yaml') return ctx.write(formatYamlDocuments(docs.map(applyable)));
      if (docs.length === 0) return ctx.note(`no ${kind} found`);
      ctx.write(formatTable(docs, columnsFor(docs[0]?.kind ?? kind, docs)));
    });

  program
    .command('delete')
    .description('delete one resource')
    .argument('<kind>', 'resource kind')
    .argument('<name>', 'resource name')
    .action(async (kind: string, resourceName: string, _opts: unknown, cmd: Command) => {
      await ctx.client(cmd).delete(`/api/v1/resources/${seg(kind)}/${seg(resourceName)}`);
      ctx.out(`deleted ${kind}/${resourceName}`);
    });

  program
    .command('export')
    .description('every resource as YAML that `mainstay apply` turns back into the same state')
    .option('-o, --output <dir>', 'write one file per kind (users.yaml, teams.yaml, …) into this directory')
    .action(async (opts: { output?: string }, cmd: Command) => {
      const client = ctx.client(cmd);
      const { documents } = await client.get<{ documents: Doc[] }>('/api/v1/export');
      const docs = documents.map(applyable);
      if (!opts.output) {
        if (docs.length === 0) return ctx.note('nothing to export');
        return ctx.write(formatYamlDocuments(docs));
      }
      const dir = path.resolve(ctx.io.cwd, opts.output);
      const plurals = await kindPlurals(client);
      const byFile = new Map<string, Doc[]>();
      for (const d of docs) {
        const file = `${plurals.get(d.kind) ?? pluralize(d.kind)}.yaml`;
        byFile.set(file, [...(byFile.get(file) ?? []), d]);
      }
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, list] of byFile) {
        const target = path.join(dir, file);
        fs.writeFileSync(target, formatYamlDocuments(list));
        ctx.out(`wrote ${displayPath(target, ctx.io.cwd)} (${list.length} ${list[0]?.kind ?? ''})`);
      }
      // A file left from an earlier export would bring deleted resources back on the next apply.
      for (const plural of plurals.values()) {
        const file = `${plural}.yaml`;
        if (!byFile.has(file) && fs.existsSync(path.join(dir, file))) {
          ctx.note(
            `warning: ${displayPath(path.join(dir, file), ctx.io.cwd)} is from an earlier export; nothing of its kind is left`,
          );
        }
      }
      if (docs.length === 0) ctx.note('nothing to export');
    });
}
