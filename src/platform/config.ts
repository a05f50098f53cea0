import path from 'node:path';
import { z } from 'zod';
import { InputError } from './errors.js';

/**
 * Start-up configuration, read once from the environment (and CLI flags, which
 * win) into a frozen object. Each field names its env var, unit and bounds.
 */
const ConfigSchema = z.object({
  /** MAINSTAY_HOST: address to listen on. */
  host: z.string().min(1).default('127.0.0.1'),
  /** MAINSTAY_PORT: TCP port, 0 picks a free one. */
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** MAINSTAY_DATA_DIR: holds the SQLite database and the generated secret key. */
  dataDir: z.string().min(1).default('./data'),
  /** MAINSTAY_DATABASE_URL: postgres://… to use PostgreSQL instead of the embedded SQLite file. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** MAINSTAY_SECRET_KEY: key for secrets at rest (any string of ≥ 32 chars, or 32 bytes base64). */
  secretKey: z.string().min(32, 'must be at least 32 characters').optional(),
  /** MAINSTAY_ADMIN_EMAIL / MAINSTAY_ADMIN_PASSWORD: first admin account, created once. */
  adminEmail: z.email().optional(),
  adminPassword: z.string().min(12, 'must be at least 12 characters').optional(),
  /** MAINSTAY_LOG_LEVEL: pino level. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** MAINSTAY_BODY_LIMIT: largest request body in bytes (1 KiB – 64 MiB). */
  bodyLimit: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** MAINSTAY_SESSION_TTL_HOURS: idle session lifetime in hours. */
  sessionTtlHours: z.coerce
    .number()
    .min(0.1)
    .max(24 * 90)
    .default(24 * 7),
  /** MAINSTAY_WEB_DIR: built web app to serve at `/` (default: dist/web beside the server). */
  webDir: z.string().optional(),
  /** MAINSTAY_TLS_CERT / MAINSTAY_TLS_KEY: PEM files to serve HTTPS directly. */
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  /** MAINSTAY_TRUST_PROXY: trust X-Forwarded-* from a reverse proxy. */
  trustProxy: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .default(false),
  /** MAINSTAY_CHECK_RESULT_RETENTION_DAYS: days raw check results are kept (rollups are kept longer). */
  checkResultRetentionDays: z.coerce.number().int().min(1).max(365).default(7),
  /** MAINSTAY_CHECK_CONCURRENCY: most check runs at once (the scheduler lowers it while overloaded). */
  checkConcurrency: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** MAINSTAY_CHECKS: run checks in this process (off: serve the API only). */
  checks: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .default(true),
  /** MAINSTAY_ALERT_RETENTION_DAYS: days resolved alerts, their history and notifications are kept. */
  alertRetentionDays: z.coerce.number().int().min(1).max(3650).default(90),
  /** MAINSTAY_EXTERNAL_URL: the base URL users reach Mainstay at (links in notifications). Default: the listen address. */
  externalUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** MAINSTAY_SMTP_URL: default SMTP server for email receivers, e.g. smtp://mail.example.com:25. */
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL')
    .optional(),
  /** MAINSTAY_SMTP_FROM: sender of notification emails. */
  smtpFrom: z.email().default('mainstay@localhost'),
  /** MAINSTAY_INSTANCE_ID: names this instance among several on one database (default: host name and port). */
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits and . _ : - (at most 100)')
    .optional(),
  /** MAINSTAY_CLUSTER_LEASE_SECONDS: how long an instance's shard leases last without renewal (a killed instance's checks move after about this long). */
  clusterLeaseSeconds: z.coerce.number().min(2).max(600).default(15),
  /** MAINSTAY_WORKER: run the work queue worker in this process. */
  worker: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .default(true),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>> & { readonly sqlitePath: string };

const ENV_NAMES: Record<keyof z.input<typeof ConfigSchema>, string> = {
  host: 'MAINSTAY_HOST',
  port: 'MAINSTAY_PORT',
  dataDir: 'MAINSTAY_DATA_DIR',
  databaseUrl: 'MAINSTAY_DATABASE_URL',
  secretKey: 'MAINSTAY_SECRET_KEY',
  adminEmail: 'MAINSTAY_ADMIN_EMAIL',
  adminPassword: 'MAINSTAY_ADMIN_PASSWORD',
  logLevel: 'MAINSTAY_LOG_LEVEL',
  bodyLimit: 'MAINSTAY_BODY_LIMIT',
  sessionTtlHours: 'MAINSTAY_SESSION_TTL_HOURS',
  webDir: 'MAINSTAY_WEB_DIR',
  tlsCert: 'MAINSTAY_TLS_CERT',
  tlsKey: 'MAINSTAY_TLS_KEY',
  trustProxy: 'MAINSTAY_TRUST_PROXY',
  checkResultRetentionDays: 'MAINSTAY_CHECK_RESULT_RETENTION_DAYS',
  checkConcurrency: 'MAINSTAY_CHECK_CONCURRENCY',
  checks: 'MAINSTAY_CHECKS',
  worker: 'MAINSTAY_WORKER',
  instanceId: 'MAINSTAY_INSTANCE_ID',
  clusterLeaseSeconds: 'MAINSTAY_CLUSTER_LEASE_SECONDS',
  externalUrl: 'MAINSTAY_EXTERNAL_URL',
  alertRetentionDays: 'MAINSTAY_ALERT_RETENTION_DAYS',
  smtpUrl: 'MAINSTAY_SMTP_URL',
  smtpFrom: 'MAINSTAY_SMTP_FROM',
};

export const CONFIG_ENV_NAMES: Readonly<Record<string, string>> = ENV_NAMES;

/**
 * Reads configuration from `env`, with `overrides` (CLI flags) taking precedence.
 * A bad value throws an InputError naming the env var.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof typeof ENV_NAMES, string | number | undefined>> = {},
): Config {
  const raw: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(ENV_NAMES)) {
    const value = overrides[field as keyof typeof ENV_NAMES] ?? env[name];
    if (value !== undefined && value !== '') raw[field] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      return { path: ENV_NAMES[field as keyof typeof ENV_NAMES] ?? field, message: issue.message };
    });
    throw new InputError(`invalid configuration: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, {
      code: 'invalid_config',
      fields,
      hint: 'fix the environment variable or flag named above and start again',
    });
  }
  if ((parsed.data.tlsCert === undefined) !== (parsed.data.tlsKey === undefined)) {
    throw new InputError('MAINSTAY_TLS_CERT and MAINSTAY_TLS_KEY must be set together', { code: 'invalid_config' });
  }
  const dataDir = path.resolve(parsed.data.dataDir);
  return Object.freeze({ ...parsed.data, dataDir, sqlitePath: path.join(dataDir, 'mainstay.db') });
}
