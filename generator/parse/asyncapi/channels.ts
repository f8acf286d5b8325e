/**
 * Channel Objects → {@link Channel}. v3 channels are keyed by id and carry an `address`, their
 * messages and `$ref`s to servers; a v2 channel's name is its address, and its messages are
 * those of its `publish` and `subscribe` operations (read here, see operations.ts).
 */
import type { Channel, ChannelParameter, KafkaOperation, KafkaServer } from '../../ir/types.ts';
import { isRecord, splitPointer } from '../../load/pointer.ts';
import { parseSchema } from '../schema.ts';
import { hasOnlyOtherBindings, parseKafkaChannelBinding } from './bindings.ts';
import {
  byId,
  child,
  placeOf,
  sortedUnique,
  stringAt,
  type AsyncApiContext,
  type Node,
} from './context.ts';
import type { MessageTable } from './messages.ts';
import { parseOperationV2 } from './operations.ts';
import { View } from './view.ts';

/** v3 channels, and their ids by the place an operation's `channel` `$ref` leads to. */
export interface ChannelsV3 {
  readonly channels: Channel[];
  readonly idsByPlace: ReadonlyMap<string, string>;
}

export function parseChannelsV3(
  ctx: AsyncApiContext,
  messages: MessageTable,
  servers: readonly KafkaServer[],
): ChannelsV3 {
  const channels: Channel[] = [];
  const idsByPlace = new Map<string, string>();
  for (const [id, entry] of ctx.entries(child(ctx.root, 'channels'))) {
    const node = ctx.object(entry);
    if (node === undefined) continue;
    idsByPlace.set(placeOf(entry), id);
    if (!idsByPlace.has(placeOf(node))) idsByPlace.set(placeOf(node), id);
    const address = stringAt(child(node, 'address')) ?? id;
    const ids = ctx
      .entries(child(node, 'messages'))
      .map(([key, message]) => messages.add(message, key))
      .filter((messageId): messageId is string => messageId !== undefined);
    const serverIds = ctx
      .items(child(node, 'servers'))
      .map((ref) => serverIdOf(ctx, ref))
      .filter((serverId): serverId is string => serverId !== undefined);
    channels.push(channelOf(ctx, { id, address, entry, node, messages: ids, serverIds }, servers));
  }
  return { channels: byId(channels), idsByPlace };
}

/** v2 channels, with the operations written inside them. */
export function parseChannelsV2(
  ctx: AsyncApiContext,
  messages: MessageTable,
  servers: readonly KafkaServer[],
): { channels: Channel[]; operations: KafkaOperation[] } {
  const channels: Channel[] = [];
  const operations: KafkaOperation[] = [];
  for (const [name, entry] of ctx.entries(child(ctx.root, 'channels'))) {
    const node = ctx.object(entry);
    if (node === undefined) continue;
    const ids: string[] = [];
    for (const verb of ['publish', 'subscribe'] as const) {
      const operation = ctx.object(child(node, verb));
      if (operation === undefined) continue;
      const parsed = parseOperationV2(ctx, name, verb, operation, messages);
      operations.push(parsed);
      ids.push(...parsed.messages);
    }
    const serverIds = ctx
      .items(child(node, 'servers'))
      .map((item) => stringAt(item))
      .filter((serverId): serverId is string => serverId !== undefined);
    channels.push(
      channelOf(ctx, { id: name, address: name, entry, node, messages: ids, serverIds }, servers),
    );
  }
  return { channels: byId(channels), operations: byId(operations) };
}

interface ChannelInput {
  readonly id: string;
  readonly address: string;
  /** Where the channel is listed (`/channels/<id>`): its source. */
  readonly entry: Node;
  /** The Channel Object itself (after `$ref`s). */
  readonly node: Node;
  readonly messages: readonly string[];
  readonly serverIds: readonly string[];
}

function channelOf(
  ctx: AsyncApiContext,
  input: ChannelInput,
  servers: readonly KafkaServer[],
): Channel {
  const view = View.of(ctx, input.node);
  const kafka = parseKafkaChannelBinding(ctx, view, input.address);
  const description = view.string('description');
  const serverIds = sortedUnique(input.serverIds);
  return {
    id: input.id,
    address: input.address,
    parameters: ctx
      .entries(child(input.node, 'parameters'))
      .map(([name, parameter]) => parseParameter(ctx, name, parameter))
      .filter((parameter): parameter is ChannelParameter => parameter !== undefined),
    messages: sortedUnique(input.messages),
    servers: serverIds,
    isKafka: isKafkaChannel(serverIds, servers, input.address, view.view('bindings')),
    ...(kafka === undefined ? {} : { kafka }),
    ...(description === undefined ? {} : { description }),
    source: ctx.locate(input.entry),
  };
}

/**
 * True unless the servers the channel is on speak another protocol (all servers when it names
 * none). With no server at all the protocol is unknown; then bindings only for other protocols,
 * or an address that cannot be a Kafka topic name (`/`, a URL), say it is not Kafka.
 */
export function isKafkaChannel(
  serverIds: readonly string[],
  servers: readonly KafkaServer[],
  address: string,
  bindings: View | undefined,
): boolean {
  const on = serverIds.length > 0 ? servers.filter((s) => serverIds.includes(s.id)) : servers;
  if (on.length > 0) return on.some((server) => server.isKafka);
  if (hasOnlyOtherBindings(bindings)) return false;
  return isTopicName(address);
}

/** Kafka topic names: 1–249 of `[a-zA-Z0-9._-]`; `{parameter}` placeholders count as legal. */
export function isTopicName(address: string): boolean {
  const filled = address.replace(/\{[^{}]*\}/g, 'x');
  return filled.length > 0 && filled.length <= 249 && /^[a-zA-Z0-9._-]+$/.test(filled);
}

/** A v3 channel's `servers` item: a `$ref` to `#/servers/<id>`. */
function serverIdOf(ctx: AsyncApiContext, ref: Node): string | undefined {
  const target = ctx.hop(ref);
  if (target === undefined || target === ref) return undefined;
  const segments = splitPointer(target.pointer);
  return segments.length === 2 && segments[0] === 'servers' ? segments[1] : undefined;
}

/**
 * A channel parameter. v2 gives it a `schema`; v3 only `enum`, `default`, `examples` (and a
 * `description`) of a string, which are read as that string schema.
 */
function parseParameter(
  ctx: AsyncApiContext,
  name: string,
  entry: Node,
): ChannelParameter | undefined {
  const node = ctx.object(entry);
  if (node === undefined || !isRecord(node.value)) return undefined;
  const description = stringAt(child(node, 'description'));
  let schema: ChannelParameter['schema'];
  if (ctx.major === 2) {
    const written = child(node, 'schema');
    schema = written.value === undefined ? { type: 'string' } : ctx.schema(written);
  } else {
    const raw = node.value;
    const synthetic: Record<string, unknown> = { type: 'string' };
    for (const keyword of ['enum', 'default', 'examples'] as const) {
      if (raw[keyword] !== undefined) synthetic[keyword] = raw[keyword];
    }
    schema = parseSchema(ctx.schemaContext(), synthetic, node.file, node.pointer);
  }
  return {
    name,
    schema,
    ...(description === undefined ? {} : { description }),
    source: ctx.locate(entry),
  };
}
