import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimitedError, statusOf } from '../errors.js';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    hint?: string;
    fields?: { path: string; message: string }[];
    requestId: string;
  };
}

/** Fastify's own client errors (parsing, limits) mapped to stable codes. */
const FASTIFY_CODES: Record<string, { code: string; message?: string; hint?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload_too_large',
    message: 'request body is too large',
    hint: 'send a smaller body',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'unsupported content type',
    hint: 'send the body as application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'invalid_json',
    message: 'the body is empty but the content type is application/json',
    hint: 'send a JSON body or no content-type',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'invalid_json',
    message: 'the body is not valid JSON',
    hint: 'check the JSON syntax',
  },
  FST_ERR_BAD_URL: {
    code: 'bad_url',
    message: 'the URL is not valid (bad percent-encoding)',
    hint: 'percent-encode path segments as UTF-8',
  },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'uri_too_long', message: 'a path segment is too long' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_content_length',
    message: 'content-length does not match the body',
  },
};

/**
 * The one place where errors become HTTP: typed domain errors keep their code,
 * message and hint; anything unknown is logged in full and answered with a bare
 * 500 that carries only the request id.
 */
export function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const requestId = String(request.id);
  if (err instanceof DomainError) {
    const status = statusOf(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    if (err instanceof RateLimitedError) void reply.header('retry-after', String(err.retryAfterSeconds));
    const body: ErrorBody = {
      error: {
        code: err.code,
        message: err.message,
        ...(err.hint ? { hint: err.hint } : {}),
        ...(err.fields ? { fields: err.fields } : {}),
        requestId,
      },
    };
    void reply.status(status).send(body);
    return;
  }
  const fe = err as FastifyError;
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    const isJson = err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY';
    const body: ErrorBody = {
      error: {
        code: known?.code ?? (isJson ? 'invalid_json' : 'bad_request'),
        message: known?.message ?? (isJson ? `the body is not valid JSON: ${err.message}` : err.message),
        ...((known?.hint ?? isJson) ? { hint: known?.hint ?? 'check the JSON syntax' } : {}),
        requestId,
      },
    };
    void reply.status(status).send(body);
    return;
  }
  request.log.error({ err }, 'unhandled error');
  void reply.status(500).send({
    error: {
      code: 'internal',
      message: 'internal error',
      hint: `the server logged the details under request id ${requestId}`,
      requestId,
    },
  } satisfies ErrorBody);
}
