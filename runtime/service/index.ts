/** `specgate/service`: the Kafka-side runner generated service handlers run on (design.md §8). */
export { startService } from './service.ts';
export { preconditionFailed, replay, type Aggregate } from './aggregate.ts';
export type {
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
  ServiceSpec,
} from './types.ts';
