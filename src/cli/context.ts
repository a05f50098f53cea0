import type { Command } from 'commander';
import { ApiClient, type Fetch } from './client.js';
import { type Connection, type Env, readConfig, resolveConnection } from './config.js';
import type { CliStdin } from './prompt.js';

export interface CliWriter {
  write(chunk: string): unknown;
}

/** Everything a command touches outside itself; `runCli` gets it from main.ts or a test. */
export interface CliIo {
  stdout: CliWriter;
  stderr: CliWriter;
  env: Env;
  cwd: string;
  stdin?: CliStdin;
  /** Replaces global fetch (tests). */
  fetch?: Fetch;
}

export interface GlobalOptions {
  url?: string;
  token?: string;
}

/** What every command action gets: output helpers and a client built from the global options. */
export class CliContext {
  /** Set by a command whose answer is "no" without an error (e.g. `checks run` of a failing check). */
  exitCode: number | undefined;

  constructor(readonly io: CliIo) {}

  /** Writes lines to stdout. */
  out(...lines: string[]): void {
    for (const line of lines) this.io.stdout.write(`${line}\n`);
  }

  /** Writes raw text to stdout. */
  write(text: string): void {
    this.io.stdout.write(text);
  }

  /** Writes lines to stderr (notes, warnings: what a pipe should not get). */
  note(...lines: string[]): void {
    for (const line of lines) this.io.stderr.write(`${line}\n`);
  }

  connection(cmd: Command): Connection {
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    return resolveConnection({ url: globals.url, token: globals.token }, this.io.env, readConfig(this.io.env));
  }

  client(cmd: Command): ApiClient {
    return this.clientFor(this.connection(cmd));
  }

  clientFor(conn: Pick<Connection, 'url' | 'token' | 'urlSource'>): ApiClient {
    return new ApiClient({ ...conn, ...(this.io.fetch ? { fetch: this.io.fetch } : {}) });
  }
}
