/**
 * `specgate/client`: the runtime a generated client SDK calls (design.md §7). Platform APIs
 * only (`fetch`, `Headers`, `ReadableStream`, `AbortSignal`, `TextDecoder`): it runs in browsers
 * and in Node ≥ 20.
 */
export { createClientCore } from './client.ts';
export { ClientError, type ClientErrorCode, type ClientErrorDetails } from './client-error.ts';
export type {
  ApiFailure,
  ApiResult,
  ApiSuccess,
  CallOptions,
  ClientCore,
  ClientOptions,
  CommandOptions,
  EventStream,
  OperationSpec,
  QueryOptions,
  RawBody,
  RequestParts,
  RetryOptions,
  StreamEvent,
  StreamOptions,
  WatchOptions,
} from './types.ts';
