import { UsageError } from './errors.js';

/** What the CLI reads input from: a real stream, or a string in tests. */
export type CliStdin =
  | string
  | (NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown; fd?: number });

export interface PromptIo {
  stdin?: CliStdin | undefined;
  stderr: { write(chunk: string): unknown };
}

export function isTty(stdin: CliStdin | undefined): boolean {
  return typeof stdin === 'object' && stdin !== null && stdin.isTTY === true;
}

/** All of stdin as text. */
export async function readAll(stdin: CliStdin | undefined): Promise<string> {
  if (stdin === undefined) return '';
  if (typeof stdin === 'string') return stdin;
  let text = '';
  for await (const chunk of stdin) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return text;
}

/** `--password-stdin`: the first line of stdin, without its line ending. */
export async function readSecretFromStdin(io: PromptIo, what = 'password'): Promise<string> {
  if (isTty(io.stdin)) throw new UsageError(`--password-stdin needs the ${what} piped in, not a terminal`);
  const text = await readAll(io.stdin);
  const first = text.split(/\r?\n/)[0] ?? '';
  if (!first)
    throw new UsageError(`--password-stdin: stdin is empty`, { hint: `printf '%s\\n' "$PASSWORD" | mainstay …` });
  return first;
}

/** Reads one line from a terminal; `hidden` turns echo off (for passwords). */
export async function promptLine(
  io: PromptIo,
  question: string,
  opts: { hidden?: boolean; what?: string } = {},
): Promise<string> {
  const stdin = io.stdin;
  if (!isTty(stdin) || typeof stdin !== 'object') {
    throw new UsageError(`no terminal to ask for the ${opts.what ?? 'value'}`, {
      hint: opts.hidden ? 'pipe it in with --password-stdin' : 'pass it as an option',
    });
  }
  io.stderr.write(question);
  const raw = Boolean(opts.hidden && stdin.setRawMode);
  if (raw) stdin.setRawMode?.(true);
  stdin.setEncoding?.('utf8');
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let line = '';
      const onData = (chunk: string | Buffer) => {
        for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            cleanup();
            if (opts.hidden) io.stderr.write('\n');
            resolve(line);
            return;
          }
          if (ch === '\u0003') {
            cleanup();
            io.stderr.write('\n');
            reject(new UsageError('cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
          else if (raw && ch < ' ') continue;
          else line += ch;
        }
      };
      const onEnd = () => {
        cleanup();
        resolve(line);
      };
      const cleanup = () => {
        stdin.removeListener('data', onData);
        stdin.removeListener('end', onEnd);
      };
      stdin.on('data', onData);
      stdin.on('end', onEnd);
    });
  } finally {
    if (raw) stdin.setRawMode?.(false);
    stdin.pause();
  }
}

/** A new password from the terminal, typed twice. */
export async function promptNewPassword(io: PromptIo): Promise<string> {
  const first = await promptLine(io, 'New password: ', { hidden: true, what: 'password' });
  const again = await promptLine(io, 'Repeat password: ', { hidden: true, what: 'password' });
  if (first !== again) throw new UsageError('the passwords do not match');
  return first;
}
