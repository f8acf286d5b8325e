import { resolveLocation } from './url.ts';
import type { Answer } from './request.ts';
import type { ApiResult, ApiSuccess } from './types.ts';

/** The read-your-writes token a command's answer carries (design.md §4). */
export const progressHeader = 'specgate-progress';

/** `application/json`, `application/problem+json` and any other `+json` type. */
export function isJson(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** The body: parsed JSON, the text for other types, undefined when empty. */
export function parseBody(headers: Headers, text: string): unknown {
  if (text === '') return undefined;
  if (!isJson(headers.get('content-type'))) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** 2xx → `ApiSuccess` (with etag, progress, and location on a 202); else `ApiFailure`. */
export function toResult<T, E>(answer: Answer): ApiResult<T, E> {
  const body = parseBody(answer.headers, answer.text);
  if (answer.status < 200 || answer.status > 299) {
    return { ok: false, status: answer.status, error: body as E, headers: answer.headers };
  }
  return success(answer, body as T);
}

export function success<T>(
  answer: Answer,
  data: T,
  extra: { readonly notModified?: boolean; readonly etag?: string } = {},
): ApiSuccess<T> {
  const etag = answer.headers.get('etag') ?? extra.etag ?? null;
  const progress = answer.headers.get(progressHeader);
  const location = answer.status === 202 ? answer.headers.get('location') : null;
  return {
    ok: true,
    status: answer.status,
    data,
    headers: answer.headers,
    ...(etag === null ? {} : { etag }),
    ...(progress === null ? {} : { progress }),
    ...(extra.notModified === true ? { notModified: true } : {}),
    ...(location === null ? {} : { location: resolveLocation(location, answer.url) }),
  };
}
