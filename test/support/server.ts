import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { type App, createApp } from '../../src/platform/app.js';
import type { Clock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import type { Engine } from '../../src/platform/db/database.js';
import { openTestDatabase, reopenTestDatabase } from './engines.js';

export interface TestServer {
  app: App;
  url: string;
  adminEmail: string;
  adminPassword: string;
  /** An admin API token (scope admin). */
  adminToken: string;
  dataDir: string;
  /** PostgreSQL schema of this server's data (undefined on SQLite). */
  schema: string | undefined;
  /** Stops the server; `keepData` leaves the database and data dir for a restart (`reopen`). */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  engine?: Engine;
  clock?: Clock;
  /** Extra environment for loadConfig (MAINSTAY_* names). */
  env?: Record<string, string>;
  /** Listen on a real loopback port (default) or only use `app.http.inject`. */
  listen?: boolean;
  /** Start on the data of a server stopped with `close({ keepData: true })` (a restart). */
  reopen?: { dataDir: string; schema: string | undefined };
  /** The app's logger (default: silent, or MAINSTAY_TEST_LOG_LEVEL). */
  logger?: Logger;
}

/**
 * A whole Mainstay (all modules, migrations, first admin) on a fresh database of
 * the given engine, listening on a free loopback port, serving dist/web when built.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const engine = opts.engine ?? 'sqlite';
  const dataDir = opts.reopen?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-test-'));
  const testDb = opts.reopen
    ? await reopenTestDatabase(engine, path.join(dataDir, 'mainstay.db'), opts.reopen.schema)
    : await openTestDatabase(engine, engine === 'sqlite' ? { sqliteFile: path.join(dataDir, 'mainstay.db') } : {});
  const adminEmail = 'admin@example.test';
  const adminPassword = 'correct horse battery staple';
  const config = loadConfig(
    {
      MAINSTAY_DATA_DIR: dataDir,
      MAINSTAY_PORT: '0',
      MAINSTAY_HOST: '127.0.0.1',
      MAINSTAY_ADMIN_EMAIL: adminEmail,
      MAINSTAY_ADMIN_PASSWORD: adminPassword,
      MAINSTAY_LOG_LEVEL: 'silent',
      ...opts.env,
    },
    {},
  );
  const logger = opts.logger ?? pino({ level: process.env.MAINSTAY_TEST_LOG_LEVEL ?? 'silent' });
  const app = await createApp({
    config,
    database: testDb.database,
    logger,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await app.bootstrapAdmin();
  const url = opts.listen === false ? 'http://in-process' : await app.start();
  const created = await app.http.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { email: adminEmail, password: adminPassword, name: 'test-admin', scope: 'admin' },
  });
  if (created.statusCode !== 201) throw new Error(`could not create the admin token: ${created.body}`);
  const adminToken = (created.json() as { token: string }).token;
  return {
    app,
    url,
    adminEmail,
    adminPassword,
    adminToken,
    dataDir,
    schema: testDb.schema,
    async close(closeOpts = {}) {
      await app.close();
      if (engine === 'postgres') await testDb.close();
      if (!closeOpts.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
