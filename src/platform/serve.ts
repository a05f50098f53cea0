import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { DomainError } from './errors.js';

export interface ServeOverrides {
  host?: string | undefined;
  port?: number | string | undefined;
  dataDir?: string | undefined;
}

/** `mainstay serve`: configure, migrate, create the first admin, listen, and shut down gracefully on a signal. */
export async function serve(overrides: ServeOverrides = {}): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, overrides);
  } catch (err) {
    if (err instanceof DomainError) {
      console.error(`mainstay: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  let url: string;
  let admin: Awaited<ReturnType<(typeof app)['bootstrapAdmin']>>;
  try {
    app = await createApp({ config });
    // Listen first: a start that cannot listen (the port is taken) must not create the first admin
    // and take its generated password, printed only after listening, down with the failed process.
    url = await app.start();
    admin = await app.bootstrapAdmin();
  } catch (err) {
    if (err instanceof DomainError) {
      console.error(`mainstay: ${err.message}${err.hint ? `\n  ${err.hint}` : ''}`);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      const where = `${e.address ?? config.host}:${e.port ?? config.port}`;
      const why = e.code === 'EADDRINUSE' ? 'is already in use' : 'may not be used by this user';
      console.error(
        `mainstay: ${where} ${why}\n  pick another port: npm start -- --port 8081, mainstay serve --port 8081, or MAINSTAY_PORT=8081`,
      );
      process.exit(2);
    }
    throw err;
  }
  const shown = url.replace('://0.0.0.0', '://127.0.0.1');
  if (admin) {
    const lines = [
      '',
      '  Mainstay created the first admin account:',
      `    email:    ${admin.email}`,
      admin.generated ? `    password: ${admin.password}` : '    password: (from MAINSTAY_ADMIN_PASSWORD)',
      admin.generated ? '  This password is shown once. Sign in and change it under your profile.' : '',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  process.stdout.write(
    `Mainstay ${config.databaseUrl ? 'on PostgreSQL' : `with ${config.sqlitePath}`} is serving ${shown}\n`,
  );

  // A terminal's Ctrl-C reaches every process in the group and npm relays it once more, so
  // repeats within a second are the same request; a signal after that forces the exit.
  let stoppingSince: number | undefined;
  const stop = (signal: string) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1000) return;
      app.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    app.logger.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
    app
      .close()
      .then(() => {
        app.logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((err) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
