/**
 * The IR: the only contract between the front half of the generator (load, parse, bind) and the
 * emitters. It is free of OpenAPI and AsyncAPI versions: parse/ turns either version of either
 * spec into these types, and emit/ never sees a spec object.
 */

/** Where something was declared: the file, its JSON pointer, and the 1-based line and column. */
export interface SpecLocation {
  readonly file: string;
  readonly pointer: string;
  readonly line: number;
  readonly column: number;
}

/** Any JSON value, as found in `enum`, `const`, `default` and `examples`. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type SchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * A JSON Schema (2020-12 subset) after normalisation: OpenAPI 3.0 `nullable` becomes a `'null'`
 * member of `type` (or a `{type:'null'}` branch of `anyOf` when there is no type), boolean
 * `exclusiveMinimum`/`exclusiveMaximum` become numbers, and a `$ref` only ever points at a named
 * schema of the IR, as `#/$defs/<id>` (see {@link Api.schemas}). Unknown keywords are dropped.
 */
export type Schema = boolean | SchemaObject;

export interface SchemaObject {
  /** `#/$defs/<id>`: a named schema in {@link Api.schemas}. Recursion goes through these. */
  readonly $ref?: string;
  readonly type?: SchemaType | readonly SchemaType[];
  readonly properties?: { readonly [name: string]: Schema };
  readonly required?: readonly string[];
  readonly additionalProperties?: Schema;
  readonly patternProperties?: { readonly [pattern: string]: Schema };
  readonly propertyNames?: Schema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly items?: Schema;
  readonly prefixItems?: readonly Schema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly enum?: readonly JsonValue[];
  readonly const?: JsonValue;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly not?: Schema;
  /** OpenAPI's discriminator; `mapping` values are `#/$defs/<id>` refs like `$ref`. */
  readonly discriminator?: {
    readonly propertyName: string;
    readonly mapping?: { readonly [value: string]: string };
  };
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  readonly contentMediaType?: string;
  readonly contentEncoding?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: JsonValue;
  readonly examples?: readonly JsonValue[];
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
  readonly deprecated?: boolean;
}

/** A schema that had a name in a spec (a component, or a schema reached through a file `$ref`). */
export interface NamedSchema {
  /** Unique across both specs; the key in {@link Api.schemas} and the tail of `#/$defs/<id>`. */
  readonly id: string;
  /** The name as the spec wrote it (`Task`, `org.example.Order`), before the naming module. */
  readonly name: string;
  readonly origin: 'openapi' | 'asyncapi';
  readonly schema: Schema;
  readonly source: SpecLocation;
}

// ---------------------------------------------------------------------------------------------
// HTTP side (from OpenAPI)

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

export interface HttpApi {
  readonly file: string;
  /** `3.0.3`, `3.1.0`, … as declared. */
  readonly specVersion: string;
  readonly title: string;
  readonly version: string;
  /** Sorted by path, then method. */
  readonly operations: readonly HttpOperation[];
  /** OpenAPI 3.1 `webhooks`: parsed for their types, never bound to Kafka. */
  readonly webhooks: readonly HttpOperation[];
  readonly securitySchemes: readonly SecurityScheme[];
  readonly source: SpecLocation;
}

export interface HttpOperation {
  /** The `operationId`, or one derived from method and path when the spec has none. */
  readonly operationId: string;
  /** False when operationId was derived (binding by id then never matches by accident). */
  readonly hasOperationId: boolean;
  readonly method: HttpMethod;
  /** The OpenAPI path template, `/tasks/{id}`. */
  readonly path: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly deprecated: boolean;
  /** Path-level and operation-level parameters merged (operation wins), in declaration order. */
  readonly parameters: readonly HttpParameter[];
  readonly requestBody?: HttpRequestBody;
  /** Sorted by status: numeric codes, then ranges (`2XX`), then `default`. */
  readonly responses: readonly HttpResponse[];
  /** Alternatives (OR) of requirement sets (AND); `[]` means open. Global security applied. */
  readonly security: readonly SecurityRequirement[];
  /** The operation's `x-specgate` extension, narrowed. */
  readonly specgate?: MappingOverrides;
  /** Zilla's `x-zilla-http-kafka` extension on the operation, narrowed to what we read. */
  readonly zilla?: MappingOverrides;
  readonly source: SpecLocation;
}

export interface HttpParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: Schema;
  readonly description?: string;
  /** OpenAPI serialisation `style`; defaults applied (`simple` for path/header, `form` for query). */
  readonly style: string;
  readonly explode: boolean;
  readonly source: SpecLocation;
}

export interface HttpRequestBody {
  readonly required: boolean;
  readonly content: readonly MediaContent[];
  readonly source: SpecLocation;
}

export interface MediaContent {
  /** `application/json`, `text/event-stream`, `application/vnd.kafka.json.v2+json`, … */
  readonly mediaType: string;
  readonly schema?: Schema;
  readonly source: SpecLocation;
}

export interface HttpResponse {
  /** `200`, `2XX`, or `default`. */
  readonly status: string;
  readonly description: string;
  readonly headers: readonly HttpHeader[];
  readonly content: readonly MediaContent[];
  readonly source: SpecLocation;
}

export interface HttpHeader {
  /** Lower-cased. */
  readonly name: string;
  readonly required: boolean;
  readonly schema: Schema;
  readonly source: SpecLocation;
}

export interface SecurityScheme {
  /** The key under `components.securitySchemes`. */
  readonly name: string;
  readonly type: 'http' | 'apiKey' | 'oauth2' | 'openIdConnect' | 'mutualTLS';
  /** For `http`: `bearer`, `basic`, … lower-cased. */
  readonly scheme?: string;
  readonly bearerFormat?: string;
  /** For `apiKey`. */
  readonly in?: 'query' | 'header' | 'cookie';
  readonly parameterName?: string;
  readonly openIdConnectUrl?: string;
  /** For `oauth2`: every scope any flow declares, sorted. */
  readonly scopes: readonly string[];
  readonly source: SpecLocation;
}

/** One alternative of a `security` list: every scheme in it must be satisfied. */
export interface SecurityRequirement {
  readonly schemes: readonly { readonly scheme: string; readonly scopes: readonly string[] }[];
}

// ---------------------------------------------------------------------------------------------
// Kafka side (from AsyncAPI)

export interface KafkaApi {
  readonly file: string;
  /** `2.6.0`, `3.0.0`, … as declared. */
  readonly specVersion: string;
  readonly title: string;
  readonly version: string;
  readonly servers: readonly KafkaServer[];
  /** Sorted by id. Non-Kafka channels are kept with `isKafka: false` so bind can skip them. */
  readonly channels: readonly Channel[];
  /** Sorted by id. */
  readonly messages: readonly Message[];
  /** Sorted by id. */
  readonly operations: readonly KafkaOperation[];
  readonly source: SpecLocation;
}

export interface KafkaServer {
  readonly id: string;
  /** `host:port` (v3 `host`, or v2 `url` without a scheme). */
  readonly host: string;
  /** `kafka`, `kafka-secure`, `amqp`, `ws`, … lower-cased. */
  readonly protocol: string;
  readonly protocolVersion?: string;
  /** True for `kafka` and `kafka-secure`. */
  readonly isKafka: boolean;
  readonly security: readonly KafkaSecurity[];
  /** From the server's kafka binding. */
  readonly schemaRegistryUrl?: string;
  readonly source: SpecLocation;
}

export interface KafkaSecurity {
  readonly name: string;
  /** AsyncAPI security scheme type: `plain`, `scramSha256`, `scramSha512`, `X509`, `userPassword`, `oauth2`, … */
  readonly type: string;
  readonly description?: string;
}

export interface Channel {
  /** The channel's key (v3) or its name (v2, where name = address). */
  readonly id: string;
  /** The topic name, possibly with `{param}` placeholders. v2: the channel name. */
  readonly address: string;
  readonly parameters: readonly ChannelParameter[];
  /** Ids of the messages the channel carries, sorted. */
  readonly messages: readonly string[];
  /** Ids of the servers it is on; empty means every server. */
  readonly servers: readonly string[];
  /** False when every server it is on speaks another protocol (or there are servers and none is Kafka). */
  readonly isKafka: boolean;
  readonly kafka?: KafkaChannelBinding;
  readonly description?: string;
  readonly source: SpecLocation;
}

export interface ChannelParameter {
  readonly name: string;
  readonly schema: Schema;
  readonly description?: string;
  readonly source: SpecLocation;
}

export interface KafkaChannelBinding {
  /** The binding's `topic`, when it differs from the address. */
  readonly topic?: string;
  readonly partitions?: number;
  readonly replicas?: number;
  /** `cleanup.policy` split on commas: `['compact']`, `['delete']`, `['compact','delete']`. */
  readonly cleanupPolicy: readonly string[];
  /** True when `cleanupPolicy` includes `compact`. */
  readonly compacted: boolean;
  /** Every `topicConfiguration` entry, by its Kafka name (`retention.ms`, …). */
  readonly config: { readonly [key: string]: string | number | boolean };
  readonly source: SpecLocation;
}

export interface Message {
  /** The component key (or a derived id for an inline message); unique. */
  readonly id: string;
  /** `name`, else the id: the SSE `event:` name and the dispatch name. */
  readonly name: string;
  readonly title?: string;
  readonly summary?: string;
  readonly contentType: string;
  /** The payload as JSON Schema; absent for non-JSON schema formats (Avro, …): opaque bytes. */
  readonly payload?: Schema;
  /** The payload's schema format when not JSON Schema (`application/vnd.apache.avro;version=1.9.0`). */
  readonly schemaFormat?: string;
  /** An object schema of the Kafka record headers. */
  readonly headers?: Schema;
  readonly correlationId?: CorrelationId;
  /** The kafka message binding's `key` schema. */
  readonly key?: Schema;
  readonly source: SpecLocation;
}

export interface CorrelationId {
  /** As written: `$message.header#/correlationId`. */
  readonly location: string;
  /** The header name when the location is a message header, else undefined. */
  readonly header?: string;
  readonly source: SpecLocation;
}

export interface KafkaOperation {
  /** The operation's key (v3) or `operationId` (v2). */
  readonly id: string;
  /** From the gateway's point of view: `send` produces, `receive` consumes (v2 subscribe = send). */
  readonly action: 'send' | 'receive';
  readonly channel: string;
  /** Ids of the messages it uses (all of the channel's when the operation names none), sorted. */
  readonly messages: readonly string[];
  readonly reply?: OperationReply;
  readonly summary?: string;
  readonly kafka?: {
    readonly groupId?: Schema;
    readonly clientId?: Schema;
  };
  readonly source: SpecLocation;
}

export interface OperationReply {
  /** The reply channel's id, when declared. */
  readonly channel?: string;
  /** A runtime expression for a dynamic reply address, `$message.header#/replyTo`. */
  readonly addressLocation?: string;
  readonly messages: readonly string[];
  readonly source: SpecLocation;
}

// ---------------------------------------------------------------------------------------------
// Mapping (config file, `x-specgate`, `x-zilla-http-kafka`) and routes

/** Explicit mapping for one HTTP operation; every field optional, config wins over extensions. */
export interface MappingOverrides {
  /** The AsyncAPI operation id this HTTP operation maps to. */
  readonly operation?: string;
  /** Forces the route kind where the method and responses leave a choice. */
  readonly kind?: Route['kind'];
  /** Record key template: `{id}`, `{idempotencyKey}`, Zilla's `${params.id}`. */
  readonly key?: string;
  /** Kafka headers to set, name → template (`{identity}`, `{params.id}`, literal text). */
  readonly overrides?: { readonly [header: string]: string };
  readonly filters?: readonly FilterSpec[];
  /** Per-user data: records are visible only to the identity in this header (security issue). */
  readonly owner?: string;
  readonly source: SpecLocation;
}

/** A list filter: a query parameter compared with a record header or a top-level value field. */
export interface FilterSpec {
  readonly param: string;
  readonly on: 'header' | 'field';
  readonly name: string;
}

/** How a record key is made, after the precedence of design §3. */
export type KeySource =
  | { readonly kind: 'template'; readonly template: string; readonly parts: readonly KeyPart[] }
  | { readonly kind: 'const'; readonly value: string }
  | { readonly kind: 'path'; readonly param: string }
  | { readonly kind: 'idempotency-key' }
  | { readonly kind: 'none' };

export type KeyPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'param'; readonly in: 'path' | 'query' | 'header'; readonly name: string }
  | { readonly kind: 'idempotency-key' }
  | { readonly kind: 'identity' };

/** The resolved topic: the channel and its address, with channel parameters taken from the path. */
export interface TopicRef {
  readonly channel: string;
  readonly address: string;
  /** Channel parameter → HTTP path parameter that fills it. */
  readonly params: { readonly [channelParam: string]: string };
  readonly compacted: boolean;
  readonly partitions?: number;
}

/** The bearer-token alternatives of a route (design.md §9), as the runtime's AuthSpec. */
export interface RouteAuth {
  /** Each alternative's scopes (`[]`: any verified token); no alternatives: nobody passes. */
  readonly scopes: readonly (readonly string[])[];
  /** The operation also lists `{}`: no token is fine. */
  readonly optional: boolean;
}

/** An HTTP operation bound to a Kafka operation. */
export type Route = CommandRoute | QueryRoute | StreamRoute | HistoryRoute;

interface RouteBase {
  readonly http: HttpOperation;
  readonly operation: KafkaOperation;
  readonly topic: TopicRef;
  readonly key: KeySource;
  /** Header overrides, name → template. */
  readonly overrides: { readonly [header: string]: string };
  readonly owner?: string;
  /** Who may call it, from the operation's security; absent: open (bind/security.ts). */
  readonly auth?: RouteAuth;
  /** Where the mapping came from: `operationId`, `config`, `x-specgate`, `x-zilla-http-kafka`. */
  readonly mappedBy: 'operationId' | 'config' | 'x-specgate' | 'x-zilla-http-kafka';
  readonly source: SpecLocation;
}

export interface CommandRoute extends RouteBase {
  readonly kind: 'command';
  /** Ids of the messages the command may produce (one per shape of request). */
  readonly messages: readonly string[];
  /** Present when the AsyncAPI operation declares a reply (request-reply). */
  readonly reply?: ReplySpec;
  /** A body-less DELETE on a compacted topic without a reply: a tombstone. */
  readonly tombstone: boolean;
  /** The success status to answer a one-way command with (the first declared 2xx). */
  readonly successStatus: number;
  /** True when the HTTP operation declares a 202 (timeout and respond-async answer it). */
  readonly accepts202: boolean;
}

export interface ReplySpec {
  readonly channel: string;
  readonly address: string;
  readonly messages: readonly string[];
  /** Kafka header that carries the correlation id (default `zilla:correlation-id`). */
  readonly correlationHeader: string;
  /** Kafka header that names the reply topic (default `zilla:reply-to`). */
  readonly replyToHeader: string;
}

export interface QueryRoute extends RouteBase {
  readonly kind: 'query';
  /** `item` when a path parameter names the key, else `list`. */
  readonly mode: 'item' | 'list';
  readonly filters: readonly FilterSpec[];
  /** The messages the view may hold. */
  readonly messages: readonly string[];
  /** True when the operation also offers `text/event-stream` (chosen by `Accept`). */
  readonly alsoStream: boolean;
}

export interface StreamRoute extends RouteBase {
  readonly kind: 'stream';
  readonly messages: readonly string[];
  readonly filters: readonly FilterSpec[];
}

export interface HistoryRoute extends RouteBase {
  readonly kind: 'history';
  readonly messages: readonly string[];
  /** The path parameter whose value is the record key. */
  readonly keyParam: string;
}

/** Everything the emitters get: both APIs, their named schemas, and the bound routes. */
export interface Api {
  readonly http: HttpApi;
  readonly kafka: KafkaApi;
  /** Named schemas of both specs by id, sorted by id. */
  readonly schemas: { readonly [id: string]: NamedSchema };
  /** Sorted by HTTP path, then method. */
  readonly routes: readonly Route[];
}
