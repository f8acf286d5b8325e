import { QueryCache } from './query-cache.ts';
import { resolveRetry } from './retry.ts';
import { buildHeaders, send, type ClientContext } from './request.ts';
import { progressHeader, success, toResult } from './response.ts';
import { buildUrl } from './url.ts';
import type {
  ApiResult,
  ClientOptions,
  OperationSpec,
  QueryOptions,
  RequestParts,
} from './types.ts';

/**
 * A query or history read: retried like any GET (it is safe), `specgate-progress` for
 * read-your-writes, and the ETag cache: `If-None-Match` with the last ETag of this URL, and a
 * 304 answered from the cached copy.
 */
export async function runQuery<T, E>(
  context: ClientContext,
  client: ClientOptions,
  cache: QueryCache,
  op: OperationSpec,
  request: RequestParts,
  options: QueryOptions = {},
): Promise<ApiResult<T, E>> {
  const url = buildUrl(context.baseUrl, op.path, request);
  const layers = [
    request.headers,
    options.headers,
    options.progress === undefined ? undefined : { [progressHeader]: options.progress },
  ];
  const useCache = options.cache !== false;
  const key = useCache ? QueryCache.key(url, await buildHeaders(context, layers)) : undefined;
  const cached = key === undefined ? undefined : cache.get(key);
  const answer = await send(context, {
    method: op.method,
    url,
    headers: [...layers, cached === undefined ? undefined : { 'if-none-match': cached.etag }],
    timeoutMs: options.timeoutMs ?? context.timeoutMs,
    retry: resolveRetry(client.retry, options.retry),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (answer.status === 304) {
    const etag = answer.headers.get('etag') ?? cached?.etag;
    return success(answer, cached?.data as T, {
      notModified: true,
      ...(etag === undefined ? {} : { etag }),
    });
  }
  const result = toResult<T, E>(answer);
  if (key !== undefined && result.ok) {
    if (result.etag === undefined) cache.delete(key);
    else cache.set(key, { etag: result.etag, data: result.data });
  }
  return result;
}
