/**
 * Typed domain errors. Domain code throws these and never knows about HTTP;
 * `http/error-handler.ts` is the one place that maps them to status codes.
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `spec.members.0.role`. */
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly hint: string | undefined;
  readonly fields: FieldError[] | undefined;

  constructor(message: string, options: { hint?: string; fields?: FieldError[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.fields = options.fields;
  }
}

export class InputError extends DomainError {
  readonly code: string;
  constructor(message: string, options: { code?: string; hint?: string; fields?: FieldError[]; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'invalid_input';
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class ConflictError extends DomainError {
  readonly code: string;
  constructor(message: string, options: { code?: string; hint?: string; fields?: FieldError[] } = {}) {
    super(message, options);
    this.code = options.code ?? 'conflict';
  }
}

export class NotAllowedError extends DomainError {
  readonly code = 'forbidden';
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
}

export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options: { hint?: string } = {}) {
    super(message, options);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
}

const STATUS_BY_CLASS: ReadonlyArray<[abstract new (...args: never[]) => DomainError, number]> = [
  [InputError, 400],
  [UnauthenticatedError, 401],
  [NotAllowedError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [RateLimitedError, 429],
  [UnavailableError, 503],
];

/** HTTP status for a domain error; used only by the HTTP error handler and the CLI. */
export function statusOf(err: DomainError): number {
  for (const [cls, status] of STATUS_BY_CLASS) if (err instanceof cls) return status;
  return 500;
}
