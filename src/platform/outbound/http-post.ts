import { performance } from 'node:perf_hooks';
import { type DeliveryResult, RESPONSE_EXCERPT_BYTES } from './delivery-result.js';

/**
 * One POST to a third party (webhooks, chat and SMS APIs) on Node's fetch (undici). Redirects are not
 * followed: fetch would turn a 301/302 POST into a GET and carry the custom headers (often a token)
 * to wherever the Location points, so a 3xx is reported as a failure to fix the URL.
 */

export interface PostOptions {
  /** Set last, so neither a target's headers nor `contentType` may replace them. */
  fixedHeaders?: Record<string, string> | undefined;
  /** Defaults, then the target's headers; a later name replaces an earlier one, case-insensitively. */
  headers?: Record<string, string> | undefined;
  /** The body's media type, set after `headers` and before `fixedHeaders`; default `application/json`. */
  contentType?: string | undefined;
  timeoutSeconds: number;
  signal?: AbortSignal | undefined;
}

/** 408, 429 and 5xx are worth retrying; any other 4xx, or a 3xx, needs the configuration fixed. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** RFC 9110 §10.2.3 Retry-After: delay-seconds or an HTTP-date (against the wall clock). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The first `limit` bytes of a body as UTF-8; the rest is never read (the stream is cancelled). */
export async function readExcerpt(body: ReadableStream<Uint8Array> | null, limit = RESPONSE_EXCERPT_BYTES) {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut by the timeout or the peer: keep what arrived; the status already decided.
  } finally {
    reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}

/** fetch rejects with `TypeError: fetch failed`; the cause says what happened (`ECONNREFUSED`, …). */
function describe(err: unknown): { message: string; code: string | undefined } {
  const e = err as Error & { cause?: Error & { code?: string } };
  const code = e.cause?.code;
  const text = e.cause?.message || e.message || String(err);
  return { message: code && !text.includes(code) ? `${code}: ${text}` : text, code };
}

/** POSTs `body` (JSON unless `contentType` says otherwise) to `url`; never throws. */
export async function postJson(url: string, body: string, opts: PostOptions): Promise<DeliveryResult> {
  const t0 = performance.now();
  const took = () => Math.round(performance.now() - t0);
  const fail = (retryable: boolean, error: string, extra: Partial<DeliveryResult> = {}): DeliveryResult => ({
    ok: false,
    retryable,
    latencyMs: took(),
    error,
    ...extra,
  });

  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return fail(false, 'the URL is not http(s)');
  // fetch refuses credentials in the URL, and its error would quote them: say so without the URL.
  if (new URL(url).username || new URL(url).password)
    return fail(false, 'the URL carries user:password@; send credentials in an Authorization header instead');
  let headers: Headers;
  try {
    headers = new Headers();
    // set(), not the constructor: a target's `user-agent` replaces the default `User-Agent` instead of joining it.
    for (const [name, value] of Object.entries(opts.headers ?? {})) headers.set(name, value);
    headers.set('Content-Type', opts.contentType ?? 'application/json');
    for (const [name, value] of Object.entries(opts.fixedHeaders ?? {})) headers.set(name, value);
  } catch (err) {
    return fail(false, `invalid header: ${(err as Error).message}`);
  }

  const timeout = AbortSignal.timeout(opts.timeoutSeconds * 1000);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
  } catch (err) {
    if (timeout.aborted) return fail(true, `no response within ${opts.timeoutSeconds} s (timeoutSeconds)`);
    if (opts.signal?.aborted) return fail(true, `aborted: ${String(opts.signal.reason)}`);
    const { message, code } = describe(err);
    // undici refuses some headers (Transfer-Encoding, Upgrade, Expect, …): no retry will change that.
    return fail(code !== 'UND_ERR_INVALID_ARG' && code !== 'UND_ERR_NOT_SUPPORTED', message);
  }

  const response = await readExcerpt(res.body);
  const statusCode = res.status;
  if (statusCode >= 200 && statusCode < 300) {
    return { ok: true, retryable: false, statusCode, latencyMs: took(), response };
  }
  const retryAfterMs =
    statusCode === 429 || statusCode === 503 ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
  const location = res.headers.get('location');
  const error =
    statusCode >= 300 && statusCode < 400
      ? `HTTP ${statusCode} redirect${location ? ` to ${location}` : ''}; redirects are not followed, configure the final URL`
      : `HTTP ${statusCode}${res.statusText ? ` ${res.statusText}` : ''}`;
  return fail(retryableStatus(statusCode), error, {
    statusCode,
    response,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** POSTs `fields` as `application/x-www-form-urlencoded` (Twilio's API); never throws. */
export function postForm(url: string, fields: Record<string, string>, opts: PostOptions): Promise<DeliveryResult> {
  return postJson(url, new URLSearchParams(fields).toString(), {
    ...opts,
    contentType: 'application/x-www-form-urlencoded',
  });
}
