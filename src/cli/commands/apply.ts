import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { readDocuments } from '../documents.js';
import { ApiError } from '../errors.js';
import { type ApplyResult, formatPlan, mapFieldErrors } from '../plan.js';
import { collect } from './shared.js';

export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description('create, update (and with --prune delete) resources from YAML files; all or nothing')
    .requiredOption('-f, --filename <path>', 'a YAML file, or a directory of *.yaml / *.yml (repeatable)', collect)
    .option('--dry-run', 'show the plan, change nothing')
    .option('--prune', 'delete resources of the applied kinds that the files do not mention')
    .action(async (opts: { filename: string[]; dryRun?: boolean; prune?: boolean }, cmd: Command) => {
      // Read and parse everything before connecting: a syntax error sends nothing.
      const documents = readDocuments(opts.filename, ctx.io.cwd);
      const client = ctx.client(cmd);
      let result: ApplyResult;
      try {
        result = await client.post<ApplyResult>('/api/v1/apply', {
          documents,
          dryRun: Boolean(opts.dryRun),
          prune: Boolean(opts.prune),
        });
      } catch (err) {
        if (err instanceof ApiError && err.fields.length > 0) {
          throw err.withDetails(
            mapFieldErrors(
              err.fields,
              documents.map((d) => d.source),
            ),
          );
        }
        throw err;
      }
      ctx.out(...formatPlan(result));
    });
}
