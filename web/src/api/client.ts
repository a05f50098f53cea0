/**
 * The one way the web app talks to the Mainstay REST API.
 *
 * - cookies stay same-origin (the session cookie is HttpOnly; the app never sees it);
 * - every write (POST/PUT/PATCH/DELETE) carries `X-CSRF-Token` with the token from the
 *   login or session response;
 * - every non-2xx answer becomes an ApiError with the server's code, message, hint,
 *   field paths and request id, so pages can show them as they are.
 */

export interface FieldError {
  /** Dotted path of the offending field, e.g. `email` or `documents.2.spec.timeZone`. */
  path: string;
  message: string;
}

export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  hint?: string | undefined;
  fields?: FieldError[] | undefined;
  requestId?: string | undefined;
  retryAfterSeconds?: number | undefined;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly fields: FieldError[];
  readonly requestId: string | undefined;
  /** From the Retry-After header of a 429 (or 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.hint = init.hint;
    this.fields = init.fields ?? [];
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;
const unauthenticatedListeners = new Set<() => void>();

/** Remembers the CSRF token of the current session (null after sign-out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * Called when any request answers 401 (the session expired or was revoked),
 * so the app can show the sign-in page. Returns an unsubscribe function.
 */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function retryAfter(res: Response): number | undefined {
  const value = res.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function toApiError(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: Partial<ApiErrorInit> & { fields?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const fields = Array.isArray(error.fields)
      ? error.fields.filter(
          (f): f is FieldError =>
            typeof f === 'object' && f !== null && typeof f.path === 'string' && typeof f.message === 'string',
        )
      : [];
    return new ApiError({
      status: res.status,
      code: error.code,
      message: error.message,
      hint: typeof error.hint === 'string' ? error.hint : undefined,
      fields,
      requestId: typeof error.requestId === 'string' ? error.requestId : requestId,
      retryAfterSeconds: retryAfter(res),
    });
  }
  // A proxy or an older server answered without the JSON error shape.
  return new ApiError({
    status: res.status,
    code: `http_${res.status}`,
    message: res.statusText ? `${res.status} ${res.statusText}` : `the server answered ${res.status}`,
    hint: res.status === 502 || res.status === 504 ? 'the Mainstay server may be down or restarting' : undefined,
    requestId,
    retryAfterSeconds: retryAfter(res),
  });
}

/** Sends one request; resolves with the parsed JSON body (undefined for 204), rejects with ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers, signal: opts.signal ?? null };
  // Only send a content type with a body: the server rejects an empty application/json body.
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (WRITE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError({
      status: 0,
      code: 'network_error',
      message: 'could not reach the Mainstay server',
      hint: 'check your connection; the server may be restarting',
    });
  }
  if (!res.ok) {
    const error = await toApiError(res);
    if (res.status === 401) for (const listener of unauthenticatedListeners) listener();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};
