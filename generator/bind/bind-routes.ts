/**
 * Bind (design §3): join each HTTP operation with the Kafka operation it maps to, decide the
 * route kind, and cross-check both sides. Every problem is reported; a route that cannot be
 * built is left out, the others are still returned.
 */
import type { Diagnostics } from '../diagnostics.ts';
import type {
  Channel,
  HttpApi,
  HttpOperation,
  KafkaApi,
  KafkaOperation,
  KeySource,
  MappingOverrides,
  NamedSchema,
  ReplySpec,
  Route,
  SpecLocation,
  TopicRef,
} from '../ir/types.ts';
import { refId } from '../ir/schema-registry.ts';
import { effectiveMapping, type EffectiveMapping } from './mapping.ts';
import { comparePayloads } from './payload-check.ts';
import { checkOwner, routeAuth } from './security.ts';
import { parseTemplate } from './template.ts';

export interface BindInput {
  readonly http: HttpApi;
  readonly kafka: KafkaApi;
  readonly schemas: { readonly [id: string]: NamedSchema };
  /** The config file's `routes`, by HTTP operationId. */
  readonly mappings: { readonly [operationId: string]: MappingOverrides };
  readonly diagnostics: Diagnostics;
}

/** Zilla's header names, so Zilla backends work unchanged (design §4). */
export const defaultCorrelationHeader = 'zilla:correlation-id';
export const defaultReplyToHeader = 'zilla:reply-to';

export function bindRoutes(input: BindInput): Route[] {
  const { http, kafka, diagnostics } = input;
  const operations = new Map(kafka.operations.map((op) => [op.id, op]));
  const channels = new Map(kafka.channels.map((channel) => [channel.id, channel]));
  const bound = new Set<string>();
  const routes: Route[] = [];

  reportNonKafka(kafka, diagnostics);

  for (const [operationId, mapping] of Object.entries(input.mappings)) {
    if (!http.operations.some((op) => op.operationId === operationId)) {
      diagnostics.report(
        'SG_BIND_OPERATION_NOT_FOUND',
        `the config maps HTTP operation "${operationId}", which ${http.file} does not define`,
        mapping.source,
      );
    }
  }

  for (const op of http.operations) {
    const config = Object.hasOwn(input.mappings, op.operationId)
      ? input.mappings[op.operationId]
      : undefined;
    const mapping = effectiveMapping(op, config);
    const wanted = mapping.mapping.operation ?? (op.hasOperationId ? op.operationId : undefined);
    const target = wanted === undefined ? undefined : operations.get(wanted);
    if (target === undefined) {
      const setBy = mapping.setBy.operation;
      if (mapping.mapping.operation !== undefined) {
        diagnostics.report(
          'SG_BIND_OPERATION_NOT_FOUND',
          `${describe(op)} maps to AsyncAPI operation "${mapping.mapping.operation}" (by ${setBy?.layer ?? mapping.mappedBy}), which ${kafka.file} does not define`,
          setBy?.source ?? op.source,
        );
      } else {
        diagnostics.report(
          'SG_BIND_HTTP_UNMAPPED',
          `${describe(op)} has no AsyncAPI operation with the same operationId; it gets no route`,
          op.source,
        );
      }
      continue;
    }
    bound.add(target.id);
    const channel = channels.get(target.channel);
    if (channel === undefined || !channel.isKafka) continue;
    const route = bindOne(input, op, target, channel, channels, mapping);
    if (route !== undefined) {
      checkOwner(route, diagnostics);
      routes.push(route);
    }
  }

  for (const op of kafka.operations) {
    const channel = channels.get(op.channel);
    if (bound.has(op.id) || channel === undefined || !channel.isKafka) continue;
    diagnostics.report(
      'SG_BIND_KAFKA_UNMAPPED',
      `AsyncAPI operation "${op.id}" (${op.action} on ${channel.address}) has no HTTP operation; the gateway does not expose it`,
      op.source,
    );
  }
  return routes.sort((a, b) => cmp(a.http.path, b.http.path) || cmp(a.http.method, b.http.method));
}

function bindOne(
  input: BindInput,
  http: HttpOperation,
  operation: KafkaOperation,
  channel: Channel,
  channels: ReadonlyMap<string, Channel>,
  { mapping, mappedBy, setBy }: EffectiveMapping,
): Route | undefined {
  const { diagnostics } = input;
  const topic = topicRef(http, channel, diagnostics);
  const auth = routeAuth(input.http, http, diagnostics);
  const overrides = { ...(mapping.overrides ?? {}) };
  for (const [header, template] of Object.entries(overrides)) {
    const where = setBy.overrides?.source ?? http.source;
    checkTemplate(template, http, `header override "${header}"`, where, diagnostics);
  }
  const base = {
    http,
    operation,
    topic,
    overrides,
    mappedBy,
    source: http.source,
    ...(mapping.owner === undefined ? {} : { owner: mapping.owner }),
    ...(auth === undefined ? {} : { auth }),
  };
  const isWrite = http.method !== 'get' && http.method !== 'head';
  if (
    isWrite !== (operation.action === 'send') ||
    !['get', 'post', 'put', 'patch', 'delete'].includes(http.method)
  ) {
    diagnostics.report(
      'SG_BIND_KIND_MISMATCH',
      `${describe(http)} maps to AsyncAPI operation "${operation.id}" whose action is "${operation.action}"; ${isWrite ? 'a command needs "send"' : 'a query or stream needs "receive"'}`,
      http.source,
    );
    return undefined;
  }
  if (isWrite && mapping.kind !== undefined && mapping.kind !== 'command') {
    diagnostics.report(
      'SG_BIND_KIND_MISMATCH',
      `${describe(http)} is mapped as a ${mapping.kind}, but a ${http.method.toUpperCase()} can only be a command`,
      setBy.kind?.source ?? http.source,
    );
    return undefined;
  }
  if (isWrite) {
    const key = keySource(mapping, setBy, http, input, operation.messages, true);
    checkCommandPayload(input, http, operation);
    const reply = replySpec(input, operation, channels);
    const success = http.responses
      .map((r) => Number(r.status))
      .filter((s) => s >= 200 && s < 300)
      .sort((a, b) => a - b);
    const accepts202 = success.includes(202);
    return {
      ...base,
      kind: 'command',
      key,
      messages: operation.messages,
      ...(reply === undefined ? {} : { reply }),
      tombstone:
        http.method === 'delete' &&
        http.requestBody === undefined &&
        topic.compacted &&
        reply === undefined,
      successStatus: success.find((s) => s !== 202) ?? success[0] ?? (reply ? 200 : 202),
      accepts202,
    };
  }

  const media = successMedia(http);
  const sse = media.includes('text/event-stream');
  const json = media.some(isJsonMedia);
  const kind = mapping.kind ?? (sse && !json ? 'stream' : topic.compacted ? 'query' : 'history');
  const filters = mapping.filters ?? [];
  for (const filter of filters) {
    if (!http.parameters.some((p) => p.in === 'query' && p.name === filter.param)) {
      diagnostics.report(
        'SG_BIND_FILTER_UNKNOWN',
        `filter on ${filter.on} "${filter.name}" reads query parameter "${filter.param}", which ${describe(http)} does not declare`,
        setBy.filters?.source ?? http.source,
      );
    }
  }
  const pathParams = http.parameters.filter((p) => p.in === 'path');
  const lastPathParam = pathParams.at(-1);
  switch (kind) {
    case 'stream':
      if (!sse) {
        diagnostics.report(
          'SG_BIND_STREAM_NO_SSE',
          `${describe(http)} is a stream but declares no text/event-stream response`,
          http.source,
        );
        return undefined;
      }
      return {
        ...base,
        kind,
        key: keySource(mapping, setBy, http, input, operation.messages, false),
        messages: operation.messages,
        filters,
      };
    case 'query':
      if (!topic.compacted) {
        diagnostics.report(
          'SG_BIND_QUERY_NOT_COMPACTED',
          `${describe(http)} queries topic "${topic.address}", which is not compacted (set cleanup.policy: compact in its kafka channel binding); a view of it would grow without bound and hold stale values`,
          http.source,
        );
        return undefined;
      }
      return {
        ...base,
        kind,
        key: keySource(mapping, setBy, http, input, operation.messages, false),
        mode: lastPathParam === undefined ? 'list' : 'item',
        filters,
        messages: operation.messages,
        alsoStream: sse,
      };
    case 'history':
      if (lastPathParam === undefined || !isArrayResponse(http, input.schemas)) {
        diagnostics.report(
          'SG_BIND_QUERY_NOT_COMPACTED',
          `${describe(http)} reads topic "${topic.address}", which is not compacted: only a history (a key path parameter and an array response) can be served from it`,
          http.source,
        );
        return undefined;
      }
      return {
        ...base,
        kind,
        key: { kind: 'path', param: lastPathParam.name },
        messages: operation.messages,
        keyParam: lastPathParam.name,
      };
    case 'command':
      diagnostics.report(
        'SG_BIND_KIND_MISMATCH',
        `${describe(http)} is a GET and cannot be a command`,
        setBy.kind?.source ?? http.source,
      );
      return undefined;
  }
}

function topicRef(http: HttpOperation, channel: Channel, diagnostics: Diagnostics): TopicRef {
  const address = channel.kafka?.topic ?? channel.address;
  const params: Record<string, string> = {};
  for (const match of address.matchAll(/\{([^{}]+)\}/g)) {
    const name = match[1] ?? '';
    if (http.parameters.some((p) => p.in === 'path' && p.name === name)) params[name] = name;
    else {
      diagnostics.report(
        'SG_BIND_CHANNEL_PARAM_UNFILLED',
        `channel "${channel.id}" has address "${address}", but ${describe(http)} has no path parameter "${name}" to fill it`,
        http.source,
      );
    }
  }
  return {
    channel: channel.id,
    address,
    params,
    compacted: channel.kafka?.compacted ?? false,
    ...(channel.kafka?.partitions === undefined ? {} : { partitions: channel.kafka.partitions }),
  };
}

/** Design §3: explicit template → message key binding → last path param → idempotency key → none. */
function keySource(
  mapping: EffectiveMapping['mapping'],
  setBy: EffectiveMapping['setBy'],
  http: HttpOperation,
  input: BindInput,
  messageIds: readonly string[],
  isCommand: boolean,
): KeySource {
  if (mapping.key !== undefined) {
    const where = setBy.key?.source ?? http.source;
    const parts = checkTemplate(mapping.key, http, 'key template', where, input.diagnostics);
    return { kind: 'template', template: mapping.key, parts };
  }
  for (const id of messageIds) {
    const key = input.kafka.messages.find((m) => m.id === id)?.key;
    if (typeof key === 'object' && key.const !== undefined && typeof key.const !== 'object') {
      return { kind: 'const', value: String(key.const) };
    }
  }
  const last = http.parameters.filter((p) => p.in === 'path').at(-1);
  if (last !== undefined) return { kind: 'path', param: last.name };
  return isCommand ? { kind: 'idempotency-key' } : { kind: 'none' };
}

function checkTemplate(
  template: string,
  http: HttpOperation,
  what: string,
  where: SpecLocation,
  diagnostics: Diagnostics,
): ReturnType<typeof parseTemplate>['parts'] {
  const { parts, unknown } = parseTemplate(template, http);
  for (const name of unknown) {
    diagnostics.report(
      'SG_BIND_KEY_PARAM_UNKNOWN',
      `${what} "${template}" names ${name}, which is not a parameter of ${describe(http)} (nor idempotencyKey or identity)`,
      where,
    );
  }
  return parts;
}

function checkCommandPayload(
  input: BindInput,
  http: HttpOperation,
  operation: KafkaOperation,
): void {
  const body = http.requestBody?.content.find((c) => isJsonMedia(c.mediaType));
  if (body?.schema === undefined) return;
  const messages = operation.messages
    .map((id) => input.kafka.messages.find((m) => m.id === id))
    .filter((m) => m?.payload !== undefined);
  // With several message types on one operation either may match: compare only a single one.
  const [message] = messages;
  if (message?.payload === undefined || messages.length !== 1) return;
  for (const problem of comparePayloads(body.schema, message.payload, input.schemas)) {
    input.diagnostics.report(
      problem.code,
      `${describe(http)} → message "${message.name}": ${problem.message}`,
      body.source,
    );
  }
}

function replySpec(
  input: BindInput,
  operation: KafkaOperation,
  channels: ReadonlyMap<string, Channel>,
): ReplySpec | undefined {
  const reply = operation.reply;
  if (reply === undefined) return undefined;
  const { diagnostics } = input;
  const channel = reply.channel === undefined ? undefined : channels.get(reply.channel);
  if (channel === undefined) {
    diagnostics.report(
      'SG_BIND_REPLY_CHANNEL_MISSING',
      reply.channel === undefined
        ? `operation "${operation.id}" declares a reply without a channel; the gateway needs a reply topic to read`
        : `operation "${operation.id}" declares a reply on channel "${reply.channel}", which is not defined`,
      reply.source,
    );
    return undefined;
  }
  let correlationHeader = defaultCorrelationHeader;
  for (const id of operation.messages) {
    const correlation = input.kafka.messages.find((m) => m.id === id)?.correlationId;
    if (correlation === undefined) continue;
    if (correlation.header === undefined) {
      diagnostics.report(
        'SG_BIND_CORRELATION_NOT_HEADER',
        `message "${id}" takes its correlationId from "${correlation.location}"; the gateway can only correlate on a header ($message.header#/NAME)`,
        correlation.source,
      );
    } else {
      correlationHeader = correlation.header;
    }
  }
  const dynamic =
    reply.addressLocation === undefined
      ? undefined
      : /^\$message\.header#\/(.+)$/.exec(reply.addressLocation);
  return {
    channel: channel.id,
    address: channel.kafka?.topic ?? channel.address,
    messages: reply.messages.length > 0 ? reply.messages : channel.messages,
    correlationHeader,
    replyToHeader: dynamic?.[1] ?? defaultReplyToHeader,
  };
}

function reportNonKafka(kafka: KafkaApi, diagnostics: Diagnostics): void {
  for (const server of kafka.servers) {
    if (!server.isKafka) {
      diagnostics.report(
        'SG_BIND_NON_KAFKA',
        `server "${server.id}" speaks ${server.protocol}, not Kafka; it is skipped`,
        server.source,
      );
    }
  }
  for (const channel of kafka.channels) {
    if (!channel.isKafka) {
      diagnostics.report(
        'SG_BIND_NON_KAFKA',
        `channel "${channel.id}" is not on a Kafka server; it is skipped`,
        channel.source,
      );
    }
  }
}

function successMedia(http: HttpOperation): string[] {
  return http.responses
    .filter((r) => r.status.startsWith('2'))
    .flatMap((r) => r.content.map((c) => c.mediaType.toLowerCase()));
}

export function isJsonMedia(mediaType: string): boolean {
  const type = mediaType.toLowerCase().split(';')[0]?.trim() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

function isArrayResponse(http: HttpOperation, schemas: BindInput['schemas']): boolean {
  for (const response of http.responses) {
    if (!response.status.startsWith('2')) continue;
    for (const content of response.content) {
      let schema = content.schema;
      for (let hops = 0; hops < 8 && typeof schema === 'object' && schema.$ref; hops++) {
        schema = schemas[refId(schema.$ref) ?? '']?.schema;
      }
      if (
        typeof schema === 'object' &&
        (schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array')))
      ) {
        return true;
      }
    }
  }
  return false;
}

function describe(http: HttpOperation): string {
  return `${http.method.toUpperCase()} ${http.path} (${http.operationId})`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
