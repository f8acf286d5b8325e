/**
 * Operation Objects → {@link KafkaOperation}, from the application's point of view (design §3):
 * `send` produces, `receive` consumes. AsyncAPI 2.x says it the other way round — `publish`
 * means others publish to the application, so it *receives* (parser-js's `isSend()` is true for
 * a v2 `subscribe`) — and writes operations inside channels, keyed by `operationId`.
 */
import type { Channel, KafkaOperation, OperationReply } from '../../ir/types.ts';
import { parseKafkaOperationBinding } from './bindings.ts';
import type { ChannelsV3 } from './channels.ts';
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
import { View } from './view.ts';

/** A v2 `publish`/`subscribe` of channel `channel` (`node` dereferenced). */
export function parseOperationV2(
  ctx: AsyncApiContext,
  channel: string,
  verb: 'publish' | 'subscribe',
  node: Node,
  messages: MessageTable,
): KafkaOperation {
  const operation = View.withTraits(ctx, node);
  // No operationId: one derived from the channel, stable and unlike any written id.
  const id = operation.string('operationId') ?? `${channel}.${verb}`;
  const ids: string[] = [];
  // `message` is one Message Object (or a `$ref` to one), or `oneOf` a list of them.
  const message = child(node, 'message');
  const target = message.value === undefined ? undefined : ctx.deref(message);
  const alternatives = target === undefined ? [] : ctx.items(child(target, 'oneOf'));
  const list = alternatives.length > 0 ? alternatives : target === undefined ? [] : [message];
  list.forEach((item, index) => {
    const suffix = list.length > 1 ? String(index + 1) : '';
    const added = messages.add(item, inlineName(ctx, item) ?? `${id}Message${suffix}`);
    if (added !== undefined) ids.push(added);
  });
  return operationOf(ctx, {
    id,
    action: verb === 'publish' ? 'receive' : 'send',
    channel,
    messages: ids,
    view: operation,
  });
}

/** v3 `operations`, each pointing at a channel of `channels`. */
export function parseOperationsV3(
  ctx: AsyncApiContext,
  channels: ChannelsV3,
  messages: MessageTable,
): KafkaOperation[] {
  const byChannel = new Map(channels.channels.map((channel) => [channel.id, channel]));
  const operations: KafkaOperation[] = [];
  for (const [id, entry] of ctx.entries(child(ctx.root, 'operations'))) {
    const node = ctx.object(entry);
    if (node === undefined) continue;
    const action = stringAt(child(node, 'action'));
    const channel = channelIdOf(ctx, child(node, 'channel'), channels);
    if ((action !== 'send' && action !== 'receive') || channel === undefined) continue;
    const operation = View.withTraits(ctx, node);
    const named = messageIds(ctx, child(node, 'messages'), messages, `${id}Message`);
    const reply = parseReply(ctx, id, child(node, 'reply'), { channels, byChannel, messages });
    operations.push(
      operationOf(ctx, {
        id,
        action,
        channel,
        messages: named.length > 0 ? named : (byChannel.get(channel)?.messages ?? []),
        view: operation,
        ...(reply === undefined ? {} : { reply }),
        entry,
      }),
    );
  }
  return byId(operations);
}

interface OperationInput {
  readonly id: string;
  readonly action: 'send' | 'receive';
  readonly channel: string;
  readonly messages: readonly string[];
  readonly view: View;
  readonly reply?: OperationReply;
  /** Where the operation is listed, when not the object itself. */
  readonly entry?: Node;
}

function operationOf(ctx: AsyncApiContext, input: OperationInput): KafkaOperation {
  const summary = input.view.string('summary');
  const kafka = parseKafkaOperationBinding(ctx, input.view);
  return {
    id: input.id,
    action: input.action,
    channel: input.channel,
    messages: sortedUnique(input.messages),
    ...(input.reply === undefined ? {} : { reply: input.reply }),
    ...(summary === undefined ? {} : { summary }),
    ...(kafka === undefined ? {} : { kafka }),
    source: ctx.locate(input.entry ?? input.view.self),
  };
}

/** v3 `reply`: a channel and/or a runtime-expression address, and the reply messages. */
function parseReply(
  ctx: AsyncApiContext,
  operationId: string,
  written: Node,
  known: {
    readonly channels: ChannelsV3;
    readonly byChannel: ReadonlyMap<string, Channel>;
    readonly messages: MessageTable;
  },
): OperationReply | undefined {
  const { channels, byChannel, messages } = known;
  if (written.value === undefined) return undefined;
  const reply = ctx.object(written);
  if (reply === undefined) return undefined;
  const channel = channelIdOf(ctx, child(reply, 'channel'), channels);
  const address = ctx.object(child(reply, 'address'));
  const addressLocation = address === undefined ? undefined : stringAt(child(address, 'location'));
  const named = messageIds(ctx, child(reply, 'messages'), messages, `${operationId}Reply`);
  const channelMessages = channel === undefined ? [] : (byChannel.get(channel)?.messages ?? []);
  return {
    ...(channel === undefined ? {} : { channel }),
    ...(addressLocation === undefined ? {} : { addressLocation }),
    messages: sortedUnique(named.length > 0 ? named : channelMessages),
    source: ctx.locate(written),
  };
}

/** The id of the channel a v3 `channel` `$ref` names (`#/channels/<id>`). */
function channelIdOf(ctx: AsyncApiContext, ref: Node, channels: ChannelsV3): string | undefined {
  if (ref.value === undefined) return undefined;
  const first = ctx.hop(ref);
  if (first === undefined) return undefined;
  const direct = channels.idsByPlace.get(placeOf(first));
  if (direct !== undefined) return direct;
  const target = ctx.deref(ref);
  return target === undefined ? undefined : channels.idsByPlace.get(placeOf(target));
}

/** v3 `messages`: `$ref`s to a channel's messages (`candidate` names one written inline). */
function messageIds(
  ctx: AsyncApiContext,
  list: Node,
  messages: MessageTable,
  candidate: string,
): string[] {
  return ctx
    .items(list)
    .map((ref) => messages.add(ref, candidate))
    .filter((id): id is string => id !== undefined);
}

/** An inline v2 message's own `messageId` or `name`, to name it by. */
function inlineName(ctx: AsyncApiContext, written: Node): string | undefined {
  const target = ctx.object(written);
  if (target === undefined) return undefined;
  return stringAt(child(target, 'messageId')) ?? stringAt(child(target, 'name'));
}
