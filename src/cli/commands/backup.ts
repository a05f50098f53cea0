import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { DatabaseSummary } from '../../platform/db/backup.js';
import { DomainError } from '../../platform/errors.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { formatJson, formatTable, formatYamlDocuments, parseFormat } from '../output.js';

interface Target {
  dataDir: string;
  sqlitePath: string;
  secretKey: string | undefined;
}

const PG_HINT_BACKUP =
  'back up PostgreSQL with its own tools: pg_dump -Fc -f mainstay.dump "$MAINSTAY_DATABASE_URL", and keep MAINSTAY_SECRET_KEY with it (README, "Backups")';
const PG_HINT_RESTORE =
  'restore PostgreSQL with pg_restore into an empty database, every server stopped: pg_restore --no-owner -d "$MAINSTAY_DATABASE_URL" mainstay.dump, with the same MAINSTAY_SECRET_KEY (README, "Backups")';

/**
 * The data directory and key the server would use (flags and MAINSTAY_* as `serve` reads them).
 * Refuses on PostgreSQL: its backups are pg_dump's job.
 */
async function target(
  ctx: CliContext,
  dataDirFlag: string | undefined,
  command: 'backup' | 'restore',
): Promise<Target> {
  const { loadConfig } = await import('../../platform/config.js');
  const dir = dataDirFlag ?? ctx.io.env.MAINSTAY_DATA_DIR;
  const config = await refusing(async () =>
    loadConfig(ctx.io.env, dir ? { dataDir: path.resolve(ctx.io.cwd, dir) } : {}),
  );
  if (config.databaseUrl) {
    throw new CliError(
      `mainstay ${command} handles the embedded SQLite database; this server stores its data in PostgreSQL (MAINSTAY_DATABASE_URL is set)`,
      { hint: command === 'backup' ? PG_HINT_BACKUP : PG_HINT_RESTORE },
    );
  }
  return { dataDir: config.dataDir, sqlitePath: config.sqlitePath, secretKey: config.secretKey };
}

/** Where the key that opens sealed values comes from, as `serve` would find it (without generating one). */
function keyLocation(t: Target): string {
  return t.secretKey ? 'MAINSTAY_SECRET_KEY' : path.join(t.dataDir, 'secret.key');
}

/** Domain errors (refusals) become CLI errors with their hint and field lines. */
async function refusing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError) {
      throw new CliError(err.message, {
        ...(err.hint ? { hint: err.hint } : {}),
        details: (err.fields ?? []).map((f) => `${f.path}: ${f.message}`),
      });
    }
    throw err;
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The summary without the sealed samples (ciphertext has no business on a terminal). */
function report(summary: DatabaseSummary) {
  return {
    bytes: summary.bytes,
    integrity: summary.integrity,
    rows: summary.rows,
    tables: summary.tables,
    migrations: summary.migrations,
    sealedKeys: summary.sealed.map(({ keyId, values }) => ({ keyId, values })),
  };
}

function summaryLines(summary: DatabaseSummary): string[] {
  return [
    `  ${size(summary.bytes)} · ${summary.tables.length} tables · ${summary.rows} rows · integrity_check ${summary.integrity}`,
    `  migrations: ${summary.migrations.count} applied, latest ${summary.migrations.latest ?? '-'}`,
  ];
}

export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('copy the SQLite database to FILE, consistently, while the server keeps serving')
    .argument('<file>', 'where to write the backup (a single SQLite file)')
    .option('--data-dir <dir>', 'data directory of the server (default: MAINSTAY_DATA_DIR or ./data)')
    .option('--force', 'replace FILE if it exists')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (fileArg: string, opts: { dataDir?: string; force?: boolean; output: string }) => {
      const format = parseFormat(opts.output);
      const t = await target(ctx, opts.dataDir, 'backup');
      const { backupSqlite } = await import('../../platform/db/backup.js');
      const result = await refusing(() =>
        backupSqlite({ source: t.sqlitePath, file: path.resolve(ctx.io.cwd, fileArg), force: opts.force === true }),
      );
      const key = {
        included: false,
        keep: keyLocation(t),
      };
      const data = {
        file: result.file,
        source: result.source,
        copyMs: Math.round(result.copyMs),
        totalMs: Math.round(result.totalMs),
        ...report(result),
        secretKey: key,
      };
      if (format === 'json') return ctx.write(formatJson(data));
      if (format === 'yaml') return ctx.write(formatYamlDocuments([data]));
      ctx.out(
        `Backed up ${result.source} to ${result.file} in ${data.totalMs} ms (copy ${data.copyMs} ms).`,
        ...summaryLines(result),
        '',
      );
      ctx.write(
        formatTable(result.tables, [
          { header: 'table', value: (r) => r.table },
          { header: 'rows', value: (r) => String(r.rows) },
        ]),
      );
      ctx.out('');
      if (result.sealed.length === 0) {
        ctx.out(
          `The backup holds no sealed values yet, and not the secret key: keep ${key.keep} in a separate safe place`,
          'all the same; secrets created later are sealed with it.',
        );
      } else {
        const ids = result.sealed.map((s) => `${s.keyId} (${s.values} values)`).join(', ');
        ctx.out(
          `Secrets, integration keys and ping keys stay sealed in the backup, by key ${ids}. The backup does not`,
          `hold that key: keep ${key.keep} in a separate safe place; a restore needs it to open them.`,
        );
      }
    });

  program
    .command('restore')
    .description('replace the SQLite database with a backup (stop the server first)')
    .argument('<file>', 'a file written by `mainstay backup`')
    .option('--data-dir <dir>', 'data directory to restore into (default: MAINSTAY_DATA_DIR or ./data)')
    .option(
      '--ignore-secret-key',
      "restore even if the configured secret key cannot open the backup's sealed values (they stay unreadable until that key is in place)",
    )
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .action(async (fileArg: string, opts: { dataDir?: string; ignoreSecretKey?: boolean; output: string }) => {
      const format = parseFormat(opts.output);
      const t = await target(ctx, opts.dataDir, 'restore');
      const { restoreSqlite } = await import('../../platform/db/backup.js');
      let keyNote = '';
      const result = await refusing(() =>
        restoreSqlite({
          file: path.resolve(ctx.io.cwd, fileArg),
          target: t.sqlitePath,
          beforeSwap: async (summary) => {
            keyNote = await checkKey(ctx, t, summary, opts.ignoreSecretKey === true);
          },
        }),
      );
      const data = {
        file: result.file,
        target: result.target,
        previous: result.previous ?? null,
        previousDamaged: result.previousDamaged,
        ...report(result),
      };
      if (format === 'json') return ctx.write(formatJson(data));
      if (format === 'yaml') return ctx.write(formatYamlDocuments([data]));
      ctx.out(`Restored ${result.file} into ${result.target}.`, ...summaryLines(result));
      if (result.previous) {
        const state = result.previousDamaged ? ' (it could not be opened: damaged)' : '';
        ctx.out(`The database that was there${state} is kept as ${result.previous}.`);
      }
      ctx.out(keyNote, 'Start the server (mainstay serve); it applies any migrations newer than the backup on start.');
    });
}

/**
 * Refuses (unless `ignore`) when the key the server would use cannot open the backup's sealed
 * values: a restored database whose secrets nobody can open looks fine until the first check or
 * page needs one. Returns the line to print.
 */
async function checkKey(ctx: CliContext, t: Target, summary: DatabaseSummary, ignore: boolean): Promise<string> {
  if (summary.sealed.length === 0) return 'The backup holds no sealed values; any secret key will do.';
  const { loadSecretKey, SecretBox } = await import('../../platform/secrets/secret-box.js');
  const location = keyLocation(t);
  const present = t.secretKey || fs.existsSync(location);
  const box = present ? new SecretBox(loadSecretKey({ secretKey: t.secretKey, dataDir: t.dataDir }).key) : undefined;
  const problems: string[] = [];
  for (const use of summary.sealed) {
    if (!box) {
      problems.push(`${use.values} values are sealed with key ${use.keyId}, and no key is configured`);
      continue;
    }
    try {
      box.open(use.sample);
    } catch {
      problems.push(
        `${use.values} values are sealed with key ${use.keyId}; the configured key (${location}) is ${box.keyId}`,
      );
    }
  }
  const total = summary.sealed.reduce((n, s) => n + s.values, 0);
  if (problems.length === 0) return `The configured key (${location}, ${box?.keyId}) opens all ${total} sealed values.`;
  const hint = `put the secret.key of the backed-up data directory in ${t.dataDir} (mode 600), or set MAINSTAY_SECRET_KEY to the key the backed-up server used`;
  if (!ignore) {
    throw new CliError(
      "the configured secret key cannot open the backup's sealed values (secrets, integration and ping keys)",
      {
        details: problems,
        hint: `${hint}; or pass --ignore-secret-key to restore anyway`,
      },
    );
  }
  for (const p of problems) ctx.note(`warning: ${p}`);
  return `Warning: restored with sealed values the configured key cannot open; they stay unreadable until you ${hint}.`;
}
