import { runCommand } from './command.ts';
import { runQuery } from './query.ts';
import { QueryCache } from './query-cache.ts';
import { openStream } from './stream.ts';
import { openWatch } from './watch.ts';
import type { ClientContext } from './request.ts';
import type { ClientCore, ClientOptions } from './types.ts';

/** The runtime a generated client calls: one per client, holding its ETag cache. */
export function createClientCore(options: ClientOptions): ClientCore {
  // Called unbound: a browser's `fetch` throws "Illegal invocation" as a method of another object.
  const fetchFn = options.fetch ?? globalThis.fetch;
  const context: ClientContext = {
    baseUrl: options.baseUrl,
    fetch: (input, init) => fetchFn(input, init),
    headers: options.headers,
    token: options.token,
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  const cache = new QueryCache();
  return {
    command: (op, request, callOptions) => runCommand(context, options, op, request, callOptions),
    query: (op, request, callOptions) =>
      runQuery(context, options, cache, op, request, callOptions),
    watch: (op, request, callOptions) => openWatch(context, options, op, request, callOptions),
    stream: (op, request, callOptions) => openStream(context, op, request, callOptions),
  };
}
