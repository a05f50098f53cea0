import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAlerts } from './commands/alerts.js';
import { registerApply } from './commands/apply.js';
import { registerAuth } from './commands/auth.js';
import { registerBackup } from './commands/backup.js';
import { registerChecks } from './commands/checks.js';
import { registerContacts } from './commands/contacts.js';
import { registerIncidents } from './commands/incidents.js';
import { registerOncall } from './commands/oncall.js';
import { registerResources } from './commands/resources.js';
import { registerSecrets } from './commands/secrets.js';
import { registerServe } from './commands/serve.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsers } from './commands/users.js';
import { CliContext, type CliIo } from './context.js';
import { CliError, EXIT, formatError } from './errors.js';

export type { CliIo } from './context.js';

/** The `mainstay` program. A new one per run: commander keeps parse state on it. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('mainstay')
    .description('Mainstay: checks, alerts, on-call, incidents, runbooks and maintenance in one self-hosted service')
    .version(version(), '-V, --version')
    .option('--url <url>', 'server URL (default: MAINSTAY_URL, the stored login, http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (default: MAINSTAY_TOKEN, the stored login)')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    // Set before the subcommands are added, so they inherit them.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  registerServe(program, ctx);
  registerBackup(program, ctx);
  registerAuth(program, ctx);
  registerApply(program, ctx);
  registerResources(program, ctx);
  registerUsers(program, ctx);
  registerTokens(program, ctx);
  registerChecks(program, ctx);
  registerSecrets(program, ctx);
  registerAlerts(program, ctx);
  registerOncall(program, ctx);
  registerIncidents(program, ctx);
  registerContacts(program, ctx);
  return program;
}

/**
 * Runs one CLI invocation in-process and resolves to its exit code: 0 ok, 1 API or
 * input error (or a failed check run), 2 usage error, 3 server unreachable. Never calls process.exit.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode ?? EXIT.ok;
  } catch (err) {
    // Commander has already printed its own message (or the help / version).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    for (const line of formatError(err)) io.stderr.write(`${line}\n`);
    if (!(err instanceof CliError) && io.env.MAINSTAY_DEBUG && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return err instanceof CliError ? err.exitCode : EXIT.failure;
  }
}

let cachedVersion: string | undefined;

/** The version in the nearest package.json above this file (src/cli or dist/server/cli). */
function version(): string {
  cachedVersion ??= findVersion();
  return cachedVersion;
}

function findVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mainstay' && pkg.version) return pkg.version;
    } catch {
      // keep looking upwards
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}
