/**
 * Which services an AsyncAPI document implies (design.md §8), from the gateway's point of view
 * that the document takes: a channel the gateway `send`s commands to is a command topic, and
 * the service that owns it consumes it; the channels the gateway `receive`s from (other than
 * reply channels) are what services write: event topics, and snapshot topics when compacted.
 *
 * A send channel gets no service when the gateway also reads it (it writes its read model
 * directly, as petstore does), when its address has parameters (many topics, none to subscribe
 * to), or when its commands cannot be told apart; each such channel gets a note saying why.
 *
 * A command whose message is not JSON (`contentType` text, octet-stream, a form, XML, …) reaches
 * its handler as bytes: nothing reads a field of it, so it cannot be told apart by one. A topic
 * whose commands differ only by a payload field and that carries such a command gets no service
 * and a problem (`SG_SERVICE_RAW_FIELD_DISPATCH`) at that message.
 */
import {
  defaultCorrelationHeader,
  defaultReplyToHeader,
  isJsonMedia,
} from '../../bind/bind-routes.ts';
import type { DiagnosticCode } from '../../diagnostic-codes.ts';
import type { Api, Channel, Message, Schema, SpecLocation } from '../../ir/types.ts';
import { constValue, declaredHeaders } from '../gateway/record-headers.ts';
import { compare } from '../gateway/schema-literal.ts';

export type Dispatch =
  | {
      readonly by: { readonly header: string } | { readonly field: string };
      /** Each command's value of the header or field, by message name. */
      readonly tags: ReadonlyMap<string, string>;
    }
  | undefined;

export interface OutputPlan {
  readonly channel: Channel;
  readonly topic: string;
  readonly kind: 'event' | 'snapshot';
  /** Sorted by name. */
  readonly messages: readonly Message[];
  readonly typeHeader?: string;
}

export interface ServicePlan {
  readonly channel: Channel;
  readonly topic: string;
  /** Sorted by name. */
  readonly commands: readonly Message[];
  readonly dispatch: Dispatch;
  /** The reply messages of the commands that are request-reply; empty when none is. */
  readonly replies: readonly Message[];
  readonly correlationHeader: string;
  readonly replyToHeader: string;
  readonly outputs: readonly OutputPlan[];
}

export interface ServicePlans {
  readonly services: readonly ServicePlan[];
  /** Why a send channel got no service, one line each. */
  readonly notes: readonly string[];
  /** What the spec should change for a channel to get its service (checkServices reports them). */
  readonly problems: readonly ServiceProblem[];
}

export interface ServiceProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly source: SpecLocation;
}

/**
 * A command the service hands its handler as bytes, unparsed: its message's content type is not
 * JSON (`application/json` or `…+json`, the rule the gateway and the client follow).
 */
export function readsBytes(message: Message): boolean {
  return !isJsonMedia(message.contentType);
}

export function planServices(api: Api): ServicePlans {
  const { kafka } = api;
  const channels = new Map(kafka.channels.map((c) => [c.id, c]));
  const messages = new Map(kafka.messages.map((m) => [m.id, m]));
  const sends = kafka.operations.filter((op) => op.action === 'send');
  const received = new Set(
    kafka.operations.filter((op) => op.action === 'receive').map((op) => op.channel),
  );
  const replyChannels = new Set(
    kafka.operations.flatMap((op) => (op.reply?.channel === undefined ? [] : [op.reply.channel])),
  );
  const sent = new Set(sends.map((op) => op.channel));

  const outputs: OutputPlan[] = [];
  for (const channel of kafka.channels) {
    if (!received.has(channel.id) || replyChannels.has(channel.id) || sent.has(channel.id)) {
      continue;
    }
    if (!channel.isKafka || hasParameters(channel)) continue;
    const channelMessages = messagesOf(channel.messages, messages);
    const typeHeader = tagHeader(api, channelMessages);
    outputs.push({
      channel,
      topic: topicOf(channel),
      kind: channel.kafka?.compacted === true ? 'snapshot' : 'event',
      messages: channelMessages,
      ...(typeHeader === undefined ? {} : { typeHeader }),
    });
  }

  const services: ServicePlan[] = [];
  const notes: string[] = [];
  const problems: ServiceProblem[] = [];
  for (const channel of kafka.channels) {
    if (!sent.has(channel.id) || !channel.isKafka) continue;
    const topic = topicOf(channel);
    if (received.has(channel.id)) {
      notes.push(`${topic}: no service, the gateway reads this topic too (it writes it directly)`);
      continue;
    }
    if (hasParameters(channel)) {
      notes.push(`${topic}: no service, its address has parameters (one topic per value)`);
      continue;
    }
    const operations = sends.filter((op) => op.channel === channel.id);
    const commands = messagesOf([...new Set(operations.flatMap((op) => op.messages))], messages);
    const dispatch = commands.length === 1 ? undefined : dispatchOf(api, commands);
    const bytes = commands.find(readsBytes);
    if (dispatch !== undefined && 'field' in dispatch.by && bytes !== undefined) {
      const { field } = dispatch.by;
      notes.push(
        `${topic}: no service, its commands differ only by the JSON field "${field}" and ${bytes.name} is ${bytes.contentType}`,
      );
      problems.push({
        code: 'SG_SERVICE_RAW_FIELD_DISPATCH',
        message:
          `the commands of ${topic} differ only by their payload field "${field}", but ` +
          `${bytes.name} is ${bytes.contentType}, not JSON: its handler gets bytes, nothing ` +
          `reads that field, so the topic gets no service. Give every command of ${topic} a ` +
          `header with a const of its own (command-type) to dispatch by`,
        source: bytes.source,
      });
      continue;
    }
    if (commands.length > 1 && dispatch === undefined) {
      notes.push(
        `${topic}: no service, its commands share no header or payload field with a distinct const each`,
      );
      continue;
    }
    const replyIds = operations.flatMap((op) =>
      op.reply === undefined
        ? []
        : op.reply.messages.length > 0
          ? op.reply.messages
          : (channels.get(op.reply.channel ?? '')?.messages ?? []),
    );
    // A bound request-reply route has its reply headers worked out (and checked) already.
    const ids = new Set(operations.map((op) => op.id));
    const [boundReply] = api.routes.flatMap((route) =>
      route.kind === 'command' && ids.has(route.operation.id) && route.reply !== undefined
        ? [route.reply]
        : [],
    );
    const correlation = commands.find((m) => m.correlationId?.header !== undefined);
    const dynamic = operations
      .map((op) => /^\$message\.header#\/(.+)$/.exec(op.reply?.addressLocation ?? '')?.[1])
      .find((header) => header !== undefined);
    services.push({
      channel,
      topic,
      commands,
      dispatch,
      replies: messagesOf([...new Set(replyIds)], messages),
      correlationHeader:
        boundReply?.correlationHeader ??
        correlation?.correlationId?.header ??
        defaultCorrelationHeader,
      replyToHeader: boundReply?.replyToHeader ?? dynamic ?? defaultReplyToHeader,
      outputs,
    });
  }
  return { services, notes, problems };
}

export function topicOf(channel: Channel): string {
  return channel.kafka?.topic ?? channel.address;
}

function hasParameters(channel: Channel): boolean {
  return channel.parameters.length > 0 || /\{[^}]*\}/.test(topicOf(channel));
}

function messagesOf(ids: readonly string[], messages: ReadonlyMap<string, Message>): Message[] {
  return ids
    .map((id) => messages.get(id))
    .filter((m): m is Message => m !== undefined)
    .sort((a, b) => compare(a.name, b.name));
}

/**
 * A header every message declares with a const equal to its own name (`command-type`,
 * `event-type`): how readers tell the message types of one topic apart.
 */
export function tagHeader(api: Api, messages: readonly Message[]): string | undefined {
  const [first] = messages;
  if (first === undefined) return undefined;
  for (const name of declaredHeaders(api, first).keys()) {
    if (messages.every((m) => constValue(api, declaredHeaders(api, m).get(name)) === m.name)) {
      return name;
    }
  }
  return undefined;
}

/**
 * By a header every command declares with a const of its own (`command-type`), else by a
 * top-level payload field with such consts; the consts tell the commands apart.
 */
function dispatchOf(api: Api, commands: readonly Message[]): Dispatch {
  const [first] = commands;
  if (first === undefined) return undefined;
  for (const header of declaredHeaders(api, first).keys()) {
    const tags = distinctTags(commands, (m) => declaredHeaders(api, m).get(header), api);
    if (tags !== undefined) return { by: { header }, tags };
  }
  for (const field of Object.keys(payloadProperties(api, first.payload)).sort(compare)) {
    const tags = distinctTags(commands, (m) => payloadProperties(api, m.payload)[field], api);
    if (tags !== undefined) return { by: { field }, tags };
  }
  return undefined;
}

function distinctTags(
  messages: readonly Message[],
  schemaOf: (message: Message) => Schema | undefined,
  api: Api,
): Map<string, string> | undefined {
  const tags = new Map<string, string>();
  const seen = new Set<string>();
  for (const message of messages) {
    const tag = constValue(api, schemaOf(message));
    if (tag === undefined || seen.has(tag)) return undefined;
    seen.add(tag);
    tags.set(message.name, tag);
  }
  return tags;
}

function payloadProperties(
  api: Api,
  payload: Schema | undefined,
): { readonly [name: string]: Schema } {
  let schema = payload;
  // Follows refs to named schemas, a bounded number of hops (refs may form a cycle).
  for (let hops = 0; hops < 8 && typeof schema === 'object' && schema.$ref !== undefined; hops++) {
    schema = api.schemas[schema.$ref.replace('#/$defs/', '')]?.schema;
  }
  return typeof schema === 'object' ? (schema.properties ?? {}) : {};
}
