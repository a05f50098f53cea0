import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

export interface RecordingSmtp {
  port: number;
  mails: ReceivedMail[];
  /** Resolves when a connection to the server closes. */
  nextClose(): Promise<void>;
  close(): Promise<void>;
}

/** `Error` with an SMTP reply code, as smtp-server's callbacks take it. */
export function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * A real SMTP server on 127.0.0.1 port 0 (no STARTTLS: it would offer smtp-server's self-signed
 * certificate) that records each accepted message; `options` override its hooks.
 */
export async function recordingSmtp(options: Partial<SMTPServerOptions> = {}): Promise<RecordingSmtp> {
  const mails: ReceivedMail[] = [];
  const closing: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        callback();
      });
    },
    onClose() {
      closing.shift()?.();
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    nextClose: () => new Promise((resolve) => closing.push(resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The decoded body of the MIME part whose Content-Type starts with `type` (quoted-printable or base64). */
export function mimePart(raw: string, type: string): string {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    const split = part.search(/\r?\n\r?\n/);
    const head = part.slice(0, split);
    if (!new RegExp(`^content-type:\\s*${type}`, 'im').test(head)) continue;
    const body = part.slice(split).replace(/^\s+/, '');
    const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(head)?.[1]?.toLowerCase();
    if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
    if (encoding === 'quoted-printable') {
      const escaped = body.replace(/%/g, '%25').replace(/=\r?\n/g, '');
      return decodeURIComponent(escaped.replace(/=([0-9A-F]{2})/gi, '%$1'));
    }
    return body;
  }
  throw new Error(`no ${type} part in the message`);
}
