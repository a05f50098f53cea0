import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ImportedDocument } from '../../alerts/import/alertmanager-import.js';
import type { CliContext } from '../context.js';
import { displayPath } from '../documents.js';
import { ApiError, UsageError } from '../errors.js';
import { formatYamlDocuments } from '../output.js';
import { type ApplyResult, formatPlan, mapFieldErrors } from '../plan.js';

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/;

/** Where `-o DIR` writes each kind; Secrets get their own file (mode 600) so it can stay out of version control. */
const FILES: Record<ImportedDocument['document']['kind'], string> = {
  Secret: 'secrets.yaml',
  TimeInterval: 'time-intervals.yaml',
  Receiver: 'receivers.yaml',
  Route: 'route.yaml',
  InhibitRule: 'inhibit-rules.yaml',
};

interface ImportOptions {
  dryRun?: boolean;
  outDir?: string;
  prefix?: string;
}

function writeDir(ctx: CliContext, dir: string, docs: readonly ImportedDocument[]): void {
  const abs = path.resolve(ctx.io.cwd, dir);
  fs.mkdirSync(abs, { recursive: true });
  for (const [kind, file] of Object.entries(FILES)) {
    const ofKind = docs.filter((d) => d.document.kind === kind).map((d) => d.document);
    if (ofKind.length === 0) continue;
    const target = path.join(abs, file);
    fs.writeFileSync(target, formatYamlDocuments(ofKind), { mode: kind === 'Secret' ? 0o600 : 0o644 });
    ctx.out(`wrote ${displayPath(target, ctx.io.cwd)} (${ofKind.length} ${kind})`);
  }
  if (docs.some((d) => d.document.kind === 'Secret'))
    ctx.note(`${FILES.Secret} holds secret values from the Alertmanager file: keep it out of version control`);
  ctx.out(`review them, then: mainstay apply -f ${dir}`);
}

/** `mainstay import alertmanager FILE`: converts alertmanager.yml and applies it (or plans, or writes it out). */
export function registerImportAlertmanager(program: Command, ctx: CliContext): void {
  const group =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('bring configuration over from other tools');
  group
    .command('alertmanager')
    .description('convert an alertmanager.yml (route tree, receivers, inhibit rules, time intervals) and apply it')
    .argument('<file>', 'the Alertmanager configuration file')
    .option('--dry-run', 'show the plan from the server, change nothing')
    .option('-o, --out-dir <dir>', 'write the YAML documents to this directory instead of applying')
    .option('--prefix <name>', 'prefix the names of the created receivers, intervals, rules and secrets')
    .action(async (file: string, opts: ImportOptions, cmd: Command) => {
      if (opts.dryRun && opts.outDir) throw new UsageError('give --dry-run or --out-dir, not both');
      if (opts.prefix !== undefined && !PREFIX.test(opts.prefix))
        throw new UsageError(`--prefix must be letters, digits, . _ - (up to 60), not ${JSON.stringify(opts.prefix)}`);
      const abs = path.resolve(ctx.io.cwd, file);
      const name = displayPath(abs, ctx.io.cwd);
      let text: string;
      try {
        text = fs.readFileSync(abs, 'utf8');
      } catch (err) {
        throw new UsageError(`${name}: cannot read: ${(err as Error).message}`);
      }
      // Lazy: only this command loads the converter (and zod with it).
      const { importAlertmanager, AlertmanagerConfigError, formatNotCarried } = await import(
        '../../alerts/import/alertmanager-import.js'
      );
      let result: ReturnType<typeof importAlertmanager>;
      try {
        result = importAlertmanager(text, {
          ...(opts.prefix ? { prefix: opts.prefix } : {}),
          // As Alertmanager: *_file paths are relative to the configuration file's directory.
          readFile: (p) => fs.readFileSync(path.resolve(path.dirname(abs), p), 'utf8'),
        });
      } catch (err) {
        if (err instanceof AlertmanagerConfigError)
          throw new UsageError(`${name}: ${err.message}`, {
            hint: 'nothing was sent; Alertmanager would refuse it too',
          });
        throw err;
      }
      const { documents, notCarried, notes } = result;
      if (notCarried.length) {
        ctx.out(`not carried over (${notCarried.length}):`, ...notCarried.map((n) => `  ${formatNotCarried(n)}`), '');
      }
      if (notes.length) ctx.out(`notes (${notes.length}):`, ...notes.map((n) => `  ${n}`), '');
      if (opts.outDir) return writeDir(ctx, opts.outDir, documents);

      const sent = documents.map((d) => ({ source: `${name}:${d.source}`, document: d.document }));
      let plan: ApplyResult;
      try {
        plan = await ctx.client(cmd).post<ApplyResult>('/api/v1/apply', {
          documents: sent,
          dryRun: Boolean(opts.dryRun),
          prune: false,
        });
      } catch (err) {
        if (err instanceof ApiError && err.fields.length > 0)
          throw err.withDetails(
            mapFieldErrors(
              err.fields,
              sent.map((d) => d.source),
            ),
          );
        throw err;
      }
      ctx.out(...formatPlan(plan));
    });
}
