/**
 * The HTTP limits a gateway takes (design.md §9), types only: `GatewayOptions` and the generated
 * code's type check need nothing of Fastify or its plugins. limits.ts applies them.
 */

/** HTTP limits of a gateway; every field optional, each with a default. */
export interface HttpLimits {
  /** Cross-origin browser access; without it the gateway sends no CORS headers. */
  readonly cors?: {
    /** Origins allowed, exactly as browsers send them (`https://app.example.com`), or `'*'`. */
    readonly origins: readonly string[] | '*';
    /** Lets browsers send cookies and HTTP auth (not with `'*'`). Default false. */
    readonly credentials?: boolean;
    /** How long a browser may cache a preflight answer. Default 600 s. */
    readonly maxAgeSeconds?: number;
  };
  /** At most `max` requests per caller in each window of `windowMs`; 429 beyond. Default none. */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
  /** Largest accepted request body in bytes (413 beyond). Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Largest request head (request line and headers) in bytes; 431 beyond. Default 16 KiB. */
  readonly maxHeaderBytes?: number;
  /**
   * Time to receive a whole request, head and body; 408 beyond. Default 30 s; 0 for none. It
   * stops once the request is in: responses (streams, long polls) run as long as they need.
   */
  readonly requestTimeoutMs?: number;
  /** Time to receive the request head; 408 beyond. Default 10 s; 0 for none. */
  readonly headersTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open between requests. Default 72 s: longer than
   * the 60 s idle timeout of common load balancers, so the gateway never closes a connection that
   * the balancer is about to reuse.
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Load shedding (design.md §10): past these, every request but the probes is answered `503` +
   * `Retry-After` at once, before any work, rather than queueing while latency and memory grow.
   * Off when absent; the generated server turns it on with a 1 s event-loop delay.
   */
  readonly overload?: OverloadLimits;
}

export interface OverloadLimits {
  /** The event loop is this many ms late (the process is saturated). */
  readonly maxEventLoopDelayMs?: number;
  readonly maxHeapUsedBytes?: number;
  readonly maxRssBytes?: number;
  /** Sent as `Retry-After`. Default 2 s. */
  readonly retryAfterSeconds?: number;
}
