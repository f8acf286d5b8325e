/** What went wrong without a usable HTTP answer; branch on `code`, never on the message. */
export type ClientErrorCode = 'NETWORK' | 'TIMEOUT' | 'ABORTED' | 'HTTP' | 'STREAM';

export interface ClientErrorDetails {
  /** The HTTP status, when there was an answer (`HTTP`, `STREAM`). */
  readonly status?: number;
  /** The answer's parsed body (an `application/problem+json` object, usually). */
  readonly problem?: unknown;
  readonly cause?: unknown;
}

/**
 * A failure a call cannot return as an `ApiResult`: no answer (`NETWORK`, `TIMEOUT`), the
 * caller's abort (`ABORTED`), or an error answer to an iterator (`HTTP` for `watch`, `STREAM`
 * for `stream`).
 */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ClientErrorCode;
  readonly status?: number;
  readonly problem?: unknown;

  constructor(code: ClientErrorCode, message: string, details: ClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.status !== undefined) this.status = details.status;
    if (details.problem !== undefined) this.problem = details.problem;
  }
}
