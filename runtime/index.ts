// The runtime surface generated code imports as `specgate/runtime`.
export type {
  GatewayOptions,
  GatewayRuntime,
  RecordInfo,
  RecordVisibility,
  RegisterRoutes,
  StreamOptions,
} from './gateway/api.ts';
export type { HttpLimits } from './gateway/http-limits.ts';
export type { OperationsOptions } from './gateway/operations-options.ts';
export type { Readiness } from './gateway/operations.ts';
export type { LogDestination } from './gateway/trace-context.ts';
export type { StreamEnd, StreamEndReason } from './gateway/streams/stream-spec.ts';
export type {
  CommandRouteSpec,
  GatewaySpec,
  HeaderSpec,
  HistoryRouteSpec,
  JsonSchema,
  KeySpec,
  QueryFilterSpec,
  QueryPaginationSpec,
  QueryRouteSpec,
  ReplyRouteSpec,
  RequestSchemas,
  RequestValue,
  RouteSpec,
  StreamMessagesSpec,
  StreamRouteSpec,
  Template,
  TopicSpec,
} from './gateway/route-spec.ts';
export { createGateway, openGateway, startGateway } from './gateway/gateway.ts';
export { authFromConfig } from './gateway/auth/auth-config.ts';
export type {
  AuthConfig,
  AuthOptions,
  JsonWebKeySet,
  TokenKeys,
} from './gateway/auth/auth-options.ts';
export type { CreateGatewayOptions, Gateway, StartingGateway } from './gateway/gateway.ts';
export { HttpProblem } from './gateway/problems.ts';
export type { KafkaEnv, KafkaSaslMechanism, KafkaSecuritySpec } from './kafka/security-spec.ts';
export type { Problem, ProblemCode, ProblemError } from './gateway/problems.ts';
