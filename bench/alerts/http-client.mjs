// A minimal HTTP/1.1 keep-alive client on raw sockets for bench/alerts.bench.mjs (autocannon-like:
// one request in flight per connection, many connections). node:http's client costs more CPU per
// request than the server it measures; on a 2-core machine that would make the load generator the
// bottleneck at 10,000 requests/s. Responses are parsed only as far as needed: status, and the body
// by Content-Length or chunked encoding.
import net from 'node:net';

const CRLF2 = Buffer.from('\r\n\r\n');

/** A POST request as bytes, ready to write again and again. */
export function postBytes(host, port, path, body, headers = {}) {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const head =
    `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${b.length}\r\n${extra}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

export function getBytes(host, port, path, headers = {}) {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n${extra}\r\n`, 'latin1');
}

/**
 * One keep-alive connection. `send(bytes, onDone)` writes a request; `onDone(status, body, error)`
 * runs when its response is complete. The connection reconnects after an error or a close.
 */
export class Conn {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.busy = false;
    this.pending = undefined;
    this.socket = undefined;
    this.reset();
  }

  reset() {
    this.buf = undefined;
    this.state = 'head';
    this.need = 0;
    this.status = 0;
    this.chunks = [];
  }

  connect() {
    const s = net.connect({ host: this.host, port: this.port });
    s.setNoDelay(true);
    s.on('data', (d) => this.onData(d));
    const fail = (err) => {
      if (this.socket !== s) return;
      this.socket = undefined;
      s.destroy();
      this.reset();
      const p = this.pending;
      this.pending = undefined;
      this.busy = false;
      if (p) p(0, undefined, err ?? new Error('connection closed'));
    };
    s.on('error', fail);
    s.on('close', () => fail());
    this.socket = s;
  }

  send(bytes, onDone) {
    if (!this.socket) this.connect();
    this.busy = true;
    this.pending = onDone;
    this.socket.write(bytes);
  }

  close() {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
  }

  onData(d) {
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (!this.buf) return;
      if (this.state === 'head') {
        const i = this.buf.indexOf(CRLF2);
        if (i < 0) return;
        const head = this.buf.toString('latin1', 0, i);
        this.buf = this.buf.subarray(i + 4);
        this.status = Number(head.slice(9, 12));
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (cl) {
          this.need = Number(cl[1]);
          this.state = 'body';
        } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          this.state = 'chunk-size';
        } else {
          this.finish(Buffer.alloc(0));
          continue;
        }
      }
      if (this.state === 'body') {
        if (this.buf.length < this.need) return;
        const body = this.buf.subarray(0, this.need);
        this.buf = this.buf.subarray(this.need);
        this.finish(body);
        continue;
      }
      if (this.state === 'chunk-size') {
        const i = this.buf.indexOf('\r\n');
        if (i < 0) return;
        const size = Number.parseInt(this.buf.toString('latin1', 0, i), 16);
        this.buf = this.buf.subarray(i + 2);
        if (size === 0) {
          this.state = 'chunk-end';
        } else {
          this.need = size;
          this.state = 'chunk-data';
        }
        continue;
      }
      if (this.state === 'chunk-data') {
        if (this.buf.length < this.need + 2) return;
        this.chunks.push(this.buf.subarray(0, this.need));
        this.buf = this.buf.subarray(this.need + 2);
        this.state = 'chunk-size';
        continue;
      }
      if (this.state === 'chunk-end') {
        // trailers (none expected) end with an empty line
        const i = this.buf.indexOf('\r\n');
        if (i < 0) return;
        this.buf = this.buf.subarray(i + 2);
        if (i === 0) this.finish(Buffer.concat(this.chunks));
        continue;
      }
      return;
    }
  }

  finish(body) {
    const status = this.status;
    const p = this.pending;
    this.pending = undefined;
    this.busy = false;
    const rest = this.buf;
    this.reset();
    this.buf = rest.length ? rest : undefined;
    if (p) p(status, body, undefined);
  }
}

/** Percentile of a sorted numeric array (nearest rank). */
export function pct(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function summarise(values) {
  const s = Float64Array.from(values).sort();
  return {
    n: s.length,
    p50: pct(s, 0.5),
    p90: pct(s, 0.9),
    p99: pct(s, 0.99),
    p999: pct(s, 0.999),
    max: s.length ? s[s.length - 1] : null,
  };
}
