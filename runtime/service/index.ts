/** `specgate/service`: the Kafka-side runner generated service handlers run on (design.md §8). */
export { startService } from './service.ts';
export { startTypedService } from './typed.ts';
export { preconditionFailed, replay, type Aggregate, type ProblemDetails } from './aggregate.ts';
export type {
  AggregateEvent,
  AggregateOptions,
  Command,
  CommandSpec,
  Handler,
  HandlerContext,
  JsonSchema,
  OutputSpec,
  Reply,
  Service,
  ServiceLogEntry,
  ServiceOptions,
  ServiceContext,
  ServiceEvent,
  ServiceHandlers,
  ServiceSpec,
  ServiceTypes,
  TypedReply,
  TypedServiceOptions,
} from './types.ts';
