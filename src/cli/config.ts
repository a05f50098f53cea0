import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, UsageError } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** What `mainstay login` stores. `tokenId` lets `logout` revoke the token it created. */
export interface StoredConfig {
  url: string;
  token: string;
  tokenId?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CONFIG_HOME/mainstay/config.json`, else `~/.config/mainstay/config.json`. */
export function configPath(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'mainstay', 'config.json');
}

export function readConfig(env: Env): StoredConfig | undefined {
  const file = configPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON`, { hint: `delete it and run mainstay login again` });
  }
  const c = parsed as Partial<StoredConfig> | null;
  if (!c || typeof c.url !== 'string' || typeof c.token !== 'string') {
    throw new CliError(`${file} has no url and token`, { hint: `delete it and run mainstay login again` });
  }
  return { url: c.url, token: c.token, ...(typeof c.tokenId === 'string' ? { tokenId: c.tokenId } : {}) };
}

/**
 * Writes the config so only its owner can read it: the directory 0700, the file
 * 0600, through a temp file and a rename so a crash never leaves half a token.
 */
export function writeConfig(env: Env, config: StoredConfig): string {
  const file = configPath(env);
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

/** Removes the stored login; false when there was none. */
export function removeConfig(env: Env): boolean {
  const file = configPath(env);
  try {
    fs.unlinkSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError(`cannot remove ${file}: ${(err as Error).message}`);
  }
}

export function normalizeUrl(raw: string, from: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${from} is not a URL: ${raw}`, { hint: 'e.g. http://127.0.0.1:8080' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`${from} must be an http or https URL: ${raw}`);
  }
  return u.toString().replace(/\/+$/, '');
}

export interface Connection {
  url: string;
  token: string | undefined;
  /** Where the URL came from, for error hints. */
  urlSource: string;
}

/**
 * Flags win over MAINSTAY_URL / MAINSTAY_TOKEN, which win over the stored login.
 * The stored token is only sent to the URL it was issued by, so pointing the CLI
 * at another server never leaks it.
 */
export function resolveConnection(
  flags: { url?: string; token?: string },
  env: Env,
  stored: StoredConfig | undefined,
): Connection {
  let url: string;
  let urlSource: string;
  if (flags.url) [url, urlSource] = [normalizeUrl(flags.url, '--url'), '--url'];
  else if (env.MAINSTAY_URL) [url, urlSource] = [normalizeUrl(env.MAINSTAY_URL, 'MAINSTAY_URL'), 'MAINSTAY_URL'];
  else if (stored) [url, urlSource] = [normalizeUrl(stored.url, 'the stored login url'), 'the stored login'];
  else [url, urlSource] = [DEFAULT_URL, 'the default'];

  let token = flags.token || env.MAINSTAY_TOKEN || undefined;
  if (!token && stored && sameServer(stored.url, url)) token = stored.token;
  return { url, token, urlSource };
}

function sameServer(a: string, b: string): boolean {
  try {
    return normalizeUrl(a, 'url') === normalizeUrl(b, 'url');
  } catch {
    return false;
  }
}
