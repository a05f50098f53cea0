import type { ApiFieldError } from './errors.js';

export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface PlanChange {
  action: ChangeAction;
  kind: string;
  name: string;
  source?: string;
  diff?: { path: string; before?: unknown; after?: unknown }[];
}

export interface ApplyResult {
  dryRun: boolean;
  applied: boolean;
  changes: PlanChange[];
}

const SYMBOL: Record<ChangeAction, string> = {
  create: '+ create',
  update: '~ update',
  delete: '- delete',
  unchanged: '= unchanged',
};

function showValue(v: unknown): string {
  return v === undefined ? '(unset)' : JSON.stringify(v);
}

/**
 * The plan as lines: one per change (`~ update  User/a@b.c  users.yaml#2`), field
 * diffs under updates, then the counts and whether anything was applied.
 */
export function formatPlan(result: ApplyResult): string[] {
  const width = Math.max(0, ...result.changes.map((c) => `${c.kind}/${c.name}`.length));
  const lines: string[] = [];
  for (const c of result.changes) {
    const ref = `${c.kind}/${c.name}`;
    const symbol = (SYMBOL[c.action] ?? `? ${c.action}`).padEnd(SYMBOL.unchanged.length);
    lines.push(`${symbol}  ${c.source ? `${ref.padEnd(width)}  ${c.source}` : ref}`);
    if (c.action === 'update') {
      for (const d of c.diff ?? []) lines.push(`  ${d.path}: ${showValue(d.before)} → ${showValue(d.after)}`);
    }
  }
  const count = (a: ChangeAction) => result.changes.filter((c) => c.action === a).length;
  lines.push(
    `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged`,
  );
  if (result.dryRun) lines.push('(dry run: nothing applied)');
  else lines.push(result.applied ? 'applied' : 'nothing applied');
  return lines;
}

/**
 * Field errors of an apply, with `documents.N.<rest>` rewritten to the document's
 * source: `users.yaml#3: spec.timeZone: invalid time zone`.
 */
export function mapFieldErrors(fields: readonly ApiFieldError[], sources: readonly string[]): string[] {
  return fields.map((f) => {
    const m = /^documents\.(\d+)(?:\.(.*))?$/.exec(f.path);
    const source = m ? sources[Number(m[1])] : undefined;
    if (!m || source === undefined) return f.path ? `${f.path}: ${f.message}` : f.message;
    // The body nests each document under `document`; users know only the document.
    const rest = (m[2] ?? '').replace(/^document(\.|$)/, '');
    return rest ? `${source}: ${rest}: ${f.message}` : `${source}: ${f.message}`;
  });
}
