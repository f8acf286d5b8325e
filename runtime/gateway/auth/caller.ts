/**
 * Who sent a request, once its bearer token has been verified (design.md §9). The auth hook
 * records it per request; commands write its identity into a Kafka header, owned routes filter
 * by it, rate limits count per identity. A request without a verified token has no caller.
 */
import type { FastifyRequest } from 'fastify';

export interface Caller {
  /** The configured identity claim (`sub` by default), as text. */
  readonly identity: string;
  readonly scopes: ReadonlySet<string>;
  /** When the token expires, in ms since the epoch (undefined: no `exp`). */
  readonly expiresAt?: number;
}

const callers = new WeakMap<FastifyRequest, Caller>();

export function setCaller(request: FastifyRequest, caller: Caller): void {
  callers.set(request, caller);
}

/** The verified caller of `request`, or undefined when it carried no (checked) token. */
export function callerOf(request: FastifyRequest): Caller | undefined {
  return callers.get(request);
}
