import { ApiError, type ApiFieldError, ConnectionError } from './errors.js';

export type Fetch = typeof globalThis.fetch;
export type Query = Record<string, string | number | boolean | undefined>;

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

const PAGE_LIMIT = 500;
const TIMEOUT_MS = 120_000;
const LOGIN_HINT = 'run mainstay login or set MAINSTAY_TOKEN';

/** A thin client for the Mainstay REST API (`/api/v1`). Knows nothing about commands. */
export class ApiClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly urlSource: string;
  private readonly fetchFn: Fetch;

  constructor(opts: { url: string; token: string | undefined; urlSource: string; fetch?: Fetch }) {
    this.url = opts.url;
    this.token = opts.token;
    this.urlSource = opts.urlSource;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** Every item of a paged list, following `offset` until `total` is reached. */
  async list<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    for (;;) {
      const page = await this.get<Page<T> | T[]>(path, { ...query, limit: PAGE_LIMIT, offset: items.length });
      if (Array.isArray(page)) return page;
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.total) return items;
    }
  }

  async request<T>(method: string, path: string, opts: { query?: Query | undefined; body?: unknown } = {}): Promise<T> {
    const target = new URL(this.url + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) target.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';

    let res: Response;
    try {
      res = await this.fetchFn(target, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw this.connectionError(err);
    }
    const text = await res.text().catch(() => '');
    const body = parseJson(text);
    if (res.ok && (body !== undefined || text === '')) return body as T;
    throw this.apiError(res.status, body, text);
  }

  private connectionError(err: unknown): ConnectionError {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason =
      e?.name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000}s`
        : (e?.cause?.code ?? e?.cause?.message ?? e?.message);
    return new ConnectionError(`cannot reach MAINSTAY_URL ${this.url} (${reason})`, {
      hint: `is the server running? The URL comes from ${this.urlSource}; set MAINSTAY_URL, pass --url, or run mainstay login --url URL`,
    });
  }

  private apiError(status: number, body: unknown, text: string): ApiError {
    const e = (
      body as {
        error?: Partial<{ code: string; message: string; hint: string; fields: ApiFieldError[]; requestId: string }>;
      }
    )?.error;
    if (e && typeof e.message === 'string') {
      const noToken = status === 401 && !this.token;
      const hint = e.hint ?? (noToken ? LOGIN_HINT : undefined);
      return new ApiError(
        status,
        {
          code: e.code ?? `http_${status}`,
          message: e.message,
          ...(hint ? { hint } : {}),
          ...(Array.isArray(e.fields) ? { fields: e.fields } : {}),
          ...(e.requestId ? { requestId: e.requestId } : {}),
        },
        noToken && e.hint ? [`no API token was sent: ${LOGIN_HINT}`] : [],
      );
    }
    // Not a Mainstay error body: a proxy, or something else listening on that port.
    return new ApiError(status, {
      code: `http_${status}`,
      message: `${this.url} answered HTTP ${status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`,
      hint: `is ${this.url} a Mainstay server? The URL comes from ${this.urlSource}`,
    });
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A path segment, escaped (emails and names go into URLs). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
