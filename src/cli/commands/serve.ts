import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, not ${value}`);
  return port;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('start the Mainstay server in this process')
    .option('--host <host>', 'address to listen on (default: MAINSTAY_HOST or the config)')
    .option('--port <port>', 'port to listen on (default: MAINSTAY_PORT or the config)')
    .option('--data-dir <dir>', 'directory for the SQLite database and state (default: MAINSTAY_DATA_DIR or ./data)')
    .action(async (opts: { host?: string; port?: string; dataDir?: string }) => {
      const overrides: { host?: string; port?: number; dataDir?: string } = {};
      if (opts.host) overrides.host = opts.host;
      if (opts.port !== undefined) overrides.port = parsePort(opts.port);
      if (opts.dataDir) overrides.dataDir = path.resolve(ctx.io.cwd, opts.dataDir);
      // Lazy: only `serve` loads the server, so client commands start fast and stay small.
      const { serve } = await import('../../platform/serve.js');
      await serve(overrides);
    });
}
