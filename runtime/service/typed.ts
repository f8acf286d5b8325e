/**
 * The typed entry generated services call (`start<Topic>Service`): the same runner, with the
 * handlers and the aggregate typed by the service's `ServiceTypes`.
 */
import { startService } from './service.ts';
import type {
  AggregateEvent,
  AggregateOptions,
  Handler,
  Service,
  ServiceSpec,
  ServiceTypes,
  TypedServiceOptions,
} from './types.ts';

export function startTypedService<T extends ServiceTypes, State>(
  spec: ServiceSpec,
  options: TypedServiceOptions<T, State>,
): Service {
  const { handlers, aggregate, ...rest } = options;
  return startService({
    ...rest,
    spec,
    // Sound by construction: the runner hands each handler only commands of its name whose
    // bodies passed that command's payload schema (or, for a `bytes` command, are the record's
    // Buffer), and a context whose writes it checks against
    // the spec's outputs, and folds only events of the aggregate's topic; the types say the same
    // of the generated spec, which is where both come from.
    handlers: handlers as unknown as { readonly [name: string]: Handler<unknown> },
    ...(aggregate === undefined
      ? {}
      : { aggregate: aggregate as unknown as AggregateOptions<unknown, AggregateEvent> }),
  });
}
