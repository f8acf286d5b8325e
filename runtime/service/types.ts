/**
 * The contract between generated service handlers (`service/handlers.ts`, issue 7) and the
 * service runtime (`specgate/service`, design.md §8): what generated code passes in, and what a
 * handler can do. Types only.
 *
 * One service owns one command topic. Its runner consumes the topic in a consumer group and, per
 * command, runs the handler of the command's message type inside ONE Kafka transaction that also
 * holds everything the handler emitted (events, snapshots), the reply, and the consumed offset
 * (exactly-once consume-transform-produce): a crash before the commit leaves no effect and the
 * command is processed again; after it, the command is not seen again.
 */
import type { Registry } from 'prom-client';
import type { KafkaEnv, KafkaSecuritySpec } from '../kafka/security-spec.ts';

/** A JSON Schema object (the message payload), as the gateway's route specs hold them. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** One command message type the service handles. */
export interface CommandSpec {
  /** The AsyncAPI message name, `CreateTask`: what the handler map is keyed by. */
  readonly name: string;
  /** The dispatch header's or field's value that selects this command; default `name`. */
  readonly tag?: string;
  /**
   * How its record value reaches the handler: `json` (the default) parsed, and checked against
   * `payload`; `bytes` as the Buffer it is, neither parsed nor checked. A message whose
   * `contentType` is not JSON (text, octet-stream, a form, XML, …) is `bytes`: the gateway
   * writes such a request body byte for byte, and the record's `content-type` header (charset
   * and all) says how to read it.
   */
  readonly body?: 'json' | 'bytes';
  /** Its payload schema; a command whose body breaks it gets a 400 reply. Absent: no check. */
  readonly payload?: JsonSchema;
}

/** A topic the service may write to, and the message names it may write there. */
export interface OutputSpec {
  readonly topic: string;
  /** `snapshot` topics are compacted: one record per key, a null value deletes. */
  readonly kind: 'event' | 'snapshot';
  readonly messages: readonly string[];
  /** The header naming an event's message type (`event-type`), when the spec declares one. */
  readonly typeHeader?: string;
}

/** Everything a generated service hands the runtime. */
export interface ServiceSpec {
  readonly title: string;
  /** The command topic this service consumes. */
  readonly commandTopic: string;
  /**
   * How a command says its type: a record header (`command-type`) whose value is the message
   * name, or a top-level field of the JSON value. Absent only when the topic carries a single
   * command type: every record is that command.
   */
  readonly dispatch?: { readonly header: string } | { readonly field: string };
  readonly commands: readonly CommandSpec[];
  readonly outputs: readonly OutputSpec[];
  /** Named schemas payload `$ref`s point into, as `specgate#/$defs/<id>`. */
  readonly schemas: { readonly [id: string]: JsonSchema };
  /** Reply correlation (Zilla's defaults: `zilla:correlation-id`, `zilla:reply-to`). */
  readonly correlationHeader: string;
  readonly replyToHeader: string;
}

/** One command as a handler sees it. */
export interface Command<Body> {
  readonly name: string;
  /** The record key (the aggregate id), as UTF-8; '' when the record has none. */
  readonly key: string;
  /**
   * The decoded, validated JSON value (undefined for an empty value); for a `bytes` command,
   * the record value as it came (an empty Buffer for an empty or null value).
   */
  readonly body: Body;
  /** Every record header, decoded as UTF-8 (first value of a repeated name). */
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: number;
}

/** What a handler answers the caller: `:status`, headers, body. */
export interface Reply {
  /** Default 200. */
  readonly status?: number;
  /** HTTP headers for the caller (`location`, `etag`, `content-type`, …). */
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON-encoded unless a string; absent for none. */
  readonly body?: unknown;
}

/** What a handler may do; everything goes out in the command's transaction. */
export interface HandlerContext {
  /**
   * Appends an event to an event topic (keyed by the command's key unless `key` says otherwise).
   * The message name must be one the topic declares; the record carries the type header, and the
   * command's identity and trace headers (`specgate-identity`, `traceparent`) when it has them.
   */
  emit(topic: string, message: string, value: unknown, options?: { readonly key?: string }): void;
  /** Writes the latest state to a snapshot topic; `null` deletes it (a tombstone). */
  snapshot(
    topic: string,
    value: unknown,
    options?: { readonly key?: string; readonly etag?: string },
  ): void;
  /**
   * The aggregate state of `key` (default: the command's key) as the service's `aggregate`
   * folds it from its event topic, including what earlier commands of this transaction and
   * this handler emitted so far; the aggregate's `initial` for a key with no events, and
   * undefined when the service has no `aggregate`.
   */
  state(key?: string): unknown;
  /** The signal of the runner's shutdown (a long handler should stop). */
  readonly signal: AbortSignal;
}

/** An event of the aggregate's topic as `apply` gets it. */
export interface AggregateEvent {
  readonly topic: string;
  /** The message name (from the topic's type header); '' when the record has none. */
  readonly name: string;
  /** The decoded JSON value; null for a tombstone or an empty value. */
  readonly value: unknown;
  /** The record key, the aggregate's id. */
  readonly key: string;
  readonly timestamp: number;
}

/**
 * Event sourcing (design.md §8): the state of each aggregate (one per record key) is its events
 * folded over `initial`. The runner reads the whole topic (read_committed) before it handles its
 * first command, then folds every event it commits, and every event another writer commits to
 * the topic; `ctx.state(key)` answers from it.
 */
export interface AggregateOptions<State, Event extends AggregateEvent = AggregateEvent> {
  /** An `event` output of the service. */
  readonly topic: string;
  readonly initial: State;
  /** Must not mutate `state`: a handler that throws has its changes dropped. */
  apply(state: State, event: Event): State;
}

/** A handler: the reply it returns is sent (with the correlation id) when the command has one. */
export type Handler<Body> = (command: Command<Body>, ctx: HandlerContext) => Promise<Reply> | Reply;

export interface ServiceOptions {
  readonly spec: ServiceSpec;
  /** Handlers by command name; a command without one gets a 501 reply. */
  readonly handlers: { readonly [name: string]: Handler<unknown> };
  /** The event-sourced state `ctx.state()` answers from; none by default. */
  readonly aggregate?: AggregateOptions<unknown>;
  /** Default from `KAFKA_BROKERS`. */
  readonly brokers?: readonly string[];
  /**
   * TLS and SASL as the AsyncAPI server declares them (the generated `start<Topic>Service`
   * passes them); credentials and overrides come from `KAFKA_SASL_*` and `KAFKA_SSL*`
   * (runtime/kafka/security.ts). Refused credentials or TLS fail `ready`.
   */
  readonly kafka?: KafkaSecuritySpec;
  /** Where the `KAFKA_SASL_*` and `KAFKA_SSL*` settings are read from; default `process.env`. */
  readonly kafkaEnv?: KafkaEnv;
  /** Consumer group; default `<title>-service` in kebab case. */
  readonly groupId?: string;
  /** Transactional id prefix; each runner instance adds a stable suffix. */
  readonly transactionalId?: string;
  /**
   * The stable suffix of this runner's transactional id, `<transactionalId>-<instanceId>`;
   * default `0`. It must survive a restart (a restarted runner fences its predecessor's open
   * transaction by reusing the id) and differ between runners that run at the same time.
   */
  readonly instanceId?: string;
  /** The consumer's session timeout (how soon a crashed runner's partitions move); default 30 s. */
  readonly sessionTimeoutMs?: number;
  /**
   * How many commands of one partition share a transaction: at most `maxCommands` (default 100),
   * and no more once the first has waited `maxMs` (default 100 ms) for the rest.
   */
  readonly batch?: { readonly maxCommands?: number; readonly maxMs?: number };
  /** Where the runner reports failed handlers and Kafka trouble; default warnings and errors to stderr. */
  readonly log?: (entry: ServiceLogEntry) => void;
  /**
   * A Prometheus registry for the runner's metrics (commands by name and status, handler time,
   * committed and aborted transactions; design.md §11); none by default. The service has no
   * HTTP server: serve the registry's `metrics()` where the application likes.
   */
  readonly metrics?: Registry;
}

/** One log line of the runner (and of kafkajs under it). */
export interface ServiceLogEntry {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A running service. */
export interface Service {
  /**
   * Resolves when the consumer has joined its group and is fetching. Rejects at once when a
   * broker refuses the credentials or TLS settings; while no broker answers, it waits.
   */
  readonly ready: Promise<void>;
  /** Commands handled (committed) since start, by outcome status. */
  stats(): { readonly handled: number; readonly byStatus: Readonly<Record<number, number>> };
  /** Finishes the command in hand, commits, leaves the group. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The typed face generated services put on the above (service/handlers.ts).

/**
 * The shapes of one generated service, declared by generated code as an interface such as
 * `TaskCommandsTypes`: command name → body type (`undefined` for a command without a payload,
 * `Buffer` for a `bytes` command),
 * the reply body (the union of the reply messages' payloads; `never` when no command is
 * request-reply), event topic → message name → payload, snapshot topic → value.
 */
export interface ServiceTypes {
  readonly commands: object;
  readonly reply: unknown;
  readonly events: object;
  readonly snapshots: object;
}

/** An event of any of the service's event topics, narrowed by `topic` and `name`. */
export type ServiceEvent<T extends ServiceTypes> = {
  [Topic in keyof T['events'] & string]: {
    [Name in keyof T['events'][Topic] & string]: {
      readonly topic: Topic;
      readonly name: Name;
      readonly value: T['events'][Topic][Name];
      readonly key: string;
      readonly timestamp: number;
    };
  }[keyof T['events'][Topic] & string];
}[keyof T['events'] & string];

/** {@link HandlerContext}, typed: only declared topics, messages and payloads. */
export interface ServiceContext<T extends ServiceTypes, State> {
  emit<Topic extends keyof T['events'] & string, Name extends keyof T['events'][Topic] & string>(
    topic: Topic,
    message: Name,
    value: T['events'][Topic][Name],
    options?: { readonly key?: string },
  ): void;
  snapshot<Topic extends keyof T['snapshots'] & string>(
    topic: Topic,
    value: T['snapshots'][Topic] | null,
    options?: { readonly key?: string; readonly etag?: string },
  ): void;
  state(key?: string): State;
  readonly signal: AbortSignal;
}

/** {@link Reply} with its body typed. */
export interface TypedReply<Body> {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Body;
}

/** One handler per command of the service, each typed by its command's body. */
export type ServiceHandlers<T extends ServiceTypes, State> = {
  readonly [Name in keyof T['commands'] & string]: (
    command: Command<T['commands'][Name]>,
    ctx: ServiceContext<T, State>,
  ) => TypedReply<T['reply']> | Promise<TypedReply<T['reply']>>;
};

/** What a generated `start<Topic>Service` function takes. */
export interface TypedServiceOptions<T extends ServiceTypes, State> extends Omit<
  ServiceOptions,
  'spec' | 'handlers' | 'aggregate'
> {
  readonly handlers: ServiceHandlers<T, State>;
  readonly aggregate?: AggregateOptions<State, ServiceEvent<T>>;
}
