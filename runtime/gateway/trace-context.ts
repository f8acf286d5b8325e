/**
 * W3C Trace Context (design.md §11): every request the gateway serves has a `traceparent` —
 * the caller's when it sent a valid one, else a new one — so every command record is traceable
 * (record.ts copies the header into the record, the service passes it on to what it writes and
 * to its reply), and every log line of the request names the trace id. The gateway records no
 * spans of its own: it forwards the caller's parent id unchanged.
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';

type ChildLoggerFactory = NonNullable<FastifyHttpOptions<Server>['childLoggerFactory']>;

/** Where log lines go instead of stdout: each `write` gets one JSON line. */
export interface LogDestination {
  write(line: string): void;
}

/** A valid `traceparent`'s parts. */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the caller's span. */
  readonly parentId: string;
  /** The trace flags, 2 hex digits (`01`: sampled). */
  readonly flags: string;
}

/** W3C Trace Context §3.2: `version-trace-id-parent-id-flags`, lowercase hex. */
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The parts of a `traceparent`, or undefined when it is not valid: version `ff`, an all-zero
 * trace or parent id, or a version-00 header with more after the flags. A later version may
 * carry more fields; its first four are read as version 00's (§3.2.4).
 */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  if (value === undefined) return undefined;
  const match = traceparentPattern.exec(value.trim());
  if (match === null) return undefined;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === undefined || traceId === undefined || parentId === undefined) return undefined;
  if (flags === undefined || version === 'ff' || (version === '00' && rest !== undefined)) {
    return undefined;
  }
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

/** The trace id of a `traceparent` header value; undefined when there is none or it is invalid. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}

/** Random bytes for 256 traces at a time: one call into the CSPRNG per call is 20× slower. */
const randomPool = Buffer.alloc(24 * 256);
let poolUsed = randomPool.length;

/**
 * A new trace, sampled (`01`): the gateway starts the trace of a request that came without one,
 * and a tracer downstream that follows its parent's decision records it.
 */
export function newTraceparent(): string {
  if (poolUsed === randomPool.length) {
    randomFillSync(randomPool);
    poolUsed = 0;
  }
  const at = poolUsed;
  poolUsed += 24;
  const traceId = randomPool.toString('hex', at, at + 16);
  return `00-${traceId}-${randomPool.toString('hex', at + 16, at + 24)}-01`;
}

/**
 * The request's trace: its valid `traceparent`, or a new one written into the headers in its
 * place (an invalid header's `tracestate` is dropped with it, §3.3).
 */
export function ensureTraceparent(headers: IncomingHttpHeaders): TraceContext {
  const sent = headers.traceparent;
  const parsed = parseTraceparent(typeof sent === 'string' ? sent : undefined);
  if (parsed !== undefined) return parsed;
  const created = newTraceparent();
  headers.traceparent = created;
  delete headers.tracestate;
  const fresh = parseTraceparent(created);
  if (fresh === undefined) throw new Error(`newTraceparent made an invalid header: ${created}`);
  return fresh;
}

/**
 * Fastify's per-request logger with the trace id bound (`traceId`), next to the request id.
 * Fastify calls it once per request, before any hook and whether logging is on or off, so it
 * is also where a request without a trace gets one.
 */
export const traceChildLogger: ChildLoggerFactory = function (logger, bindings, options, raw) {
  const { traceId } = ensureTraceparent(raw.headers);
  return logger.child({ ...bindings, traceId }, options);
};

/**
 * `options` with `traceChildLogger`, and the log lines sent to `logger` when it is a
 * destination rather than `true` (stdout).
 */
export function tracedFastifyOptions(
  options: FastifyHttpOptions<Server>,
  logger: boolean | LogDestination | undefined,
): FastifyHttpOptions<Server> {
  const traced = { ...options, childLoggerFactory: traceChildLogger };
  if (typeof logger !== 'object' || typeof options.logger !== 'object') return traced;
  return { ...traced, logger: { ...options.logger, stream: logger } };
}
