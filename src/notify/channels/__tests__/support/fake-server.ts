import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  base: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** What the fake answers; `undefined` status leaves the request hanging (a server that never answers). */
export type Responder = (req: RecordedRequest, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 port 0 standing in for Slack, Teams, ntfy, Telegram or Twilio. */
export async function fakeServer(respond: Responder): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      respond(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with `status`, `body` (objects as JSON) and `headers`. */
export function answer(status: number, body: unknown = '', headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(status, { 'Content-Type': type, ...headers });
    res.end(text);
  };
}

/** Never answers: the request stays open until the client gives up or the server closes. */
export const silent: Responder = () => {};

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
