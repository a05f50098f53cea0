/**
 * Errors the CLI reports. Each carries its exit code, so `runCli` maps any failure
 * to a code in one place: 1 for API and input errors, 2 for usage, 3 for connection.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, connection: 3 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  /** Extra lines printed under the message (field errors, YAML problems). */
  readonly details: string[];

  constructor(message: string, options: { exitCode?: number; hint?: string; details?: string[] } = {}) {
    super(message);
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** Bad flags, arguments or local files: the command was not sent. */
export class UsageError extends CliError {
  constructor(message: string, options: { hint?: string; details?: string[] } = {}) {
    super(message, { ...options, exitCode: EXIT.usage });
  }
}

/** The server could not be reached (refused, DNS, TLS, timeout). */
export class ConnectionError extends CliError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(message, { ...options, exitCode: EXIT.connection });
  }
}

export interface ApiFieldError {
  path: string;
  message: string;
}

/** The server answered with an error body `{ error: { code, message, hint?, fields?, requestId } }`. */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly fields: ApiFieldError[];
  readonly requestId: string | undefined;

  constructor(
    status: number,
    body: { code: string; message: string; hint?: string; fields?: ApiFieldError[]; requestId?: string },
    details: string[] = [],
  ) {
    super(body.message, { exitCode: EXIT.failure, ...(body.hint ? { hint: body.hint } : {}), details });
    this.status = status;
    this.code = body.code;
    this.fields = body.fields ?? [];
    this.requestId = body.requestId;
  }

  /** The same error with its field lines rewritten (e.g. mapped back to file#doc). */
  withDetails(details: string[]): ApiError {
    return new ApiError(
      this.status,
      {
        code: this.code,
        message: this.message,
        ...(this.hint ? { hint: this.hint } : {}),
        fields: this.fields,
        ...(this.requestId ? { requestId: this.requestId } : {}),
      },
      details,
    );
  }
}

/** Lines for stderr: the message (with the server's code), details, hint. */
export function formatError(err: unknown): string[] {
  if (err instanceof ApiError) {
    const details = err.details.length > 0 ? err.details : err.fields.map((f) => `${f.path}: ${f.message}`);
    return [
      `error (${err.code}): ${err.message}`,
      ...details.map((d) => `  ${d}`),
      ...(err.hint ? [`hint: ${err.hint}`] : []),
      ...(err.status >= 500 && err.requestId ? [`request id: ${err.requestId}`] : []),
    ];
  }
  if (err instanceof CliError) {
    return [`error: ${err.message}`, ...err.details.map((d) => `  ${d}`), ...(err.hint ? [`hint: ${err.hint}`] : [])];
  }
  const message = err instanceof Error ? err.message : String(err);
  return [`error: ${message}`];
}
