/**
 * RFC 9457 problem details. Every error the gateway answers is one of these, with a stable
 * `code` to branch on (style.md §17), the HTTP status, and whether a retry may succeed.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { KafkaError } from '../kafka/errors.ts';

export const problemMediaType = 'application/problem+json';

export type ProblemCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'MALFORMED_REQUEST'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'ORIGIN_NOT_ALLOWED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_IN_FLIGHT'
  | 'RATE_LIMITED'
  | 'OVERLOADED'
  | 'KAFKA_UNAVAILABLE'
  | 'REPLY_TIMEOUT'
  | 'REPLY_NOT_FOUND'
  | 'INTERNAL';

/** One failing value: where (a JSON pointer into the request part) and why. */
export interface ProblemError {
  readonly pointer: string;
  readonly detail: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: ProblemCode;
  readonly errors?: readonly ProblemError[];
}

const titles: Record<ProblemCode, [number, string]> = {
  VALIDATION_FAILED: [400, 'Bad Request'],
  MALFORMED_JSON: [400, 'Bad Request'],
  MALFORMED_REQUEST: [400, 'Bad Request'],
  HEADERS_TOO_LARGE: [431, 'Request Header Fields Too Large'],
  REQUEST_TIMEOUT: [408, 'Request Timeout'],
  ORIGIN_NOT_ALLOWED: [403, 'Forbidden'],
  UNAUTHENTICATED: [401, 'Unauthorized'],
  FORBIDDEN: [403, 'Forbidden'],
  NOT_FOUND: [404, 'Not Found'],
  METHOD_NOT_ALLOWED: [405, 'Method Not Allowed'],
  BODY_TOO_LARGE: [413, 'Content Too Large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported Media Type'],
  IDEMPOTENCY_KEY_REUSED: [422, 'Unprocessable Content'],
  IDEMPOTENCY_IN_FLIGHT: [409, 'Conflict'],
  RATE_LIMITED: [429, 'Too Many Requests'],
  OVERLOADED: [503, 'Service Unavailable'],
  KAFKA_UNAVAILABLE: [503, 'Service Unavailable'],
  REPLY_TIMEOUT: [504, 'Gateway Timeout'],
  REPLY_NOT_FOUND: [404, 'Not Found'],
  INTERNAL: [500, 'Internal Server Error'],
};

/** An error the gateway answers as a problem; thrown anywhere in a handler. */
export class HttpProblem extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly errors?: readonly ProblemError[];
  /** Seconds, for `Retry-After` on 503 and 429. */
  readonly retryAfter?: number;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { errors?: readonly ProblemError[]; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpProblem';
    this.code = code;
    this.status = titles[code][0];
    this.retriable =
      code === 'KAFKA_UNAVAILABLE' ||
      code === 'REPLY_TIMEOUT' ||
      code === 'IDEMPOTENCY_IN_FLIGHT' ||
      code === 'RATE_LIMITED' ||
      code === 'OVERLOADED';
    if (options.errors !== undefined) this.errors = options.errors;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  toProblem(): Problem {
    return {
      type: `https://specgate.dev/problems/${this.code.toLowerCase().replaceAll('_', '-')}`,
      title: titles[this.code][1],
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  return reply.code(problem.status).type(problemMediaType).send(problem.toProblem());
}

/** Fastify's own errors (validation, body parsing, limits) mapped to problems. */
export function problemFromFastify(error: FastifyError): HttpProblem {
  if (error.validation !== undefined) {
    const part = error.validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      pointer: `/${part}${v.instancePath}${missingProperty(v.params)}`,
      detail: v.message ?? 'is invalid',
    }));
    const first = errors[0];
    return new HttpProblem(
      'VALIDATION_FAILED',
      first === undefined ? 'the request is invalid' : `${first.pointer} ${first.detail}`,
      { errors },
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpProblem(
        'BODY_TOO_LARGE',
        'the request body is larger than the gateway accepts',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpProblem('UNSUPPORTED_MEDIA_TYPE', error.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpProblem('MALFORMED_JSON', `the body is not valid JSON: ${error.message}`);
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new HttpProblem('MALFORMED_JSON', `the body is not valid JSON: ${error.message}`);
  }
  return new HttpProblem('INTERNAL', 'the gateway failed to handle the request', { cause: error });
}

/** A 400 for one request value the gateway checks itself, at its JSON pointer. */
export function invalidRequest(pointer: string, detail: string): HttpProblem {
  return new HttpProblem('VALIDATION_FAILED', `${pointer} ${detail}`, {
    errors: [{ pointer, detail }],
  });
}

/** Ajv reports a missing property at its parent; point at the property itself. */
function missingProperty(params: Record<string, unknown>): string {
  const name = params.missingProperty;
  return typeof name === 'string' ? `/${name.replaceAll('~', '~0').replaceAll('/', '~1')}` : '';
}

export function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(
    reply,
    new HttpProblem(
      'NOT_FOUND',
      `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
    ),
  );
}

/** A Kafka failure as the caller sees it: 503 + Retry-After when a retry may succeed. */
export function kafkaProblem(error: KafkaError): HttpProblem {
  if (error.code === 'RECORD_TOO_LARGE') {
    return new HttpProblem('BODY_TOO_LARGE', 'the record is larger than Kafka accepts', {
      cause: error,
    });
  }
  if (error.retriable) {
    return new HttpProblem('KAFKA_UNAVAILABLE', `Kafka is unavailable: ${error.message}`, {
      retryAfter: 1,
      cause: error,
    });
  }
  return new HttpProblem('INTERNAL', `Kafka refused the request: ${error.message}`, {
    cause: error,
  });
}
