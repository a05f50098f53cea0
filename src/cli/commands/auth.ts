import os from 'node:os';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { ApiToken, CreatedTokenSchema } from '../../platform/accounts/accounts.model.js';
import { configPath, readConfig, removeConfig, writeConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { ApiError, CliError, ConnectionError, UsageError } from '../errors.js';
import { promptLine, readSecretFromStdin } from '../prompt.js';
import { parsePositiveInt, parseRole } from './shared.js';

type CreatedToken = z.infer<typeof CreatedTokenSchema>;

export function registerAuth(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('sign in with email and password; stores an API token for this server (URL from --url, MAINSTAY_URL)')
    .option('--email <email>', 'account email (asked for on a terminal when missing)')
    .option('--password-stdin', 'read the password from stdin instead of asking')
    .option('--name <name>', 'name of the API token to create', `mainstay-cli@${os.hostname()}`)
    .option('--scope <role>', 'limit the token to this role (viewer, responder, editor, admin)')
    .option('--expires-in-days <n>', 'let the token expire after N days')
    .action(
      async (
        opts: { email?: string; passwordStdin?: boolean; name: string; scope?: string; expiresInDays?: string },
        cmd: Command,
      ) => {
        const conn = ctx.connection(cmd);
        if (opts.passwordStdin && !opts.email) {
          throw new UsageError('--email is required with --password-stdin');
        }
        const scope = opts.scope === undefined ? undefined : parseRole(opts.scope, '--scope');
        const expiresInDays =
          opts.expiresInDays === undefined ? undefined : parsePositiveInt(opts.expiresInDays, '--expires-in-days');
        const email = opts.email ?? (await promptLine(ctx.io, 'Email: ', { what: 'email' })).trim();
        if (!email) throw new UsageError('an email is required');
        const password = opts.passwordStdin
          ? await readSecretFromStdin(ctx.io)
          : await promptLine(ctx.io, 'Password: ', { hidden: true, what: 'password' });

        const client = ctx.clientFor({ url: conn.url, token: undefined, urlSource: conn.urlSource });
        const created = await client.post<CreatedToken>('/api/v1/auth/token', {
          email,
          password,
          name: opts.name,
          ...(scope ? { scope } : {}),
          ...(expiresInDays ? { expiresInDays } : {}),
        });

        const previous = safeReadConfig(ctx);
        const file = writeConfig(ctx.io.env, { url: conn.url, token: created.token, tokenId: created.apiToken.id });
        // Replace the previous login's token instead of leaving it valid; best effort.
        if (previous?.tokenId && previous.url === conn.url && previous.tokenId !== created.apiToken.id) {
          await ctx
            .clientFor({ url: conn.url, token: created.token, urlSource: conn.urlSource })
            .delete(`/api/v1/tokens/${encodeURIComponent(previous.tokenId)}`)
            .catch(() => undefined);
        }
        const t = created.apiToken;
        ctx.out(
          `logged in to ${conn.url} as ${t.userEmail} (token ${t.name}, scope ${t.scope}${t.expiresAt ? `, expires ${t.expiresAt}` : ''})`,
        );
        ctx.note(`credentials saved to ${file}`);
        if (ctx.io.env.MAINSTAY_TOKEN) ctx.note('warning: MAINSTAY_TOKEN is set and is used instead of this login');
      },
    );

  program
    .command('logout')
    .description('revoke the stored API token and forget it')
    .action(async () => {
      const stored = safeReadConfig(ctx);
      if (!stored) {
        removeConfig(ctx.io.env);
        ctx.note(`not logged in (no ${configPath(ctx.io.env)})`);
        return;
      }
      const client = ctx.clientFor({ url: stored.url, token: stored.token, urlSource: 'the stored login' });
      try {
        const id = stored.tokenId ?? (await findTokenId(client, stored.token));
        if (id) await client.delete(`/api/v1/tokens/${encodeURIComponent(id)}`);
      } catch (err) {
        // An expired or already revoked token is as good as revoked; anything else is worth a warning.
        if (err instanceof ConnectionError) ctx.note(`warning: ${err.message}; the token stays valid until it expires`);
        else if (err instanceof ApiError && (err.status === 401 || err.status === 404)) {
          // already unusable
        } else if (err instanceof CliError) ctx.note(`warning: could not revoke the token: ${err.message}`);
        else throw err;
      }
      removeConfig(ctx.io.env);
      ctx.out(`logged out of ${stored.url}`);
    });
}

function safeReadConfig(ctx: CliContext) {
  try {
    return readConfig(ctx.io.env);
  } catch {
    return undefined;
  }
}

async function findTokenId(client: ReturnType<CliContext['clientFor']>, token: string): Promise<string | undefined> {
  const tokens = await client.list<ApiToken>('/api/v1/tokens');
  return tokens.find((t) => t.prefix && token.startsWith(t.prefix))?.id;
}
