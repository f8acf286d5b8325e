/**
 * Kafka bindings (asyncapi/bindings `kafka/`, 0.3–0.5): the channel's topic settings and the
 * operation's consumer group and client id. Bindings of other protocols are not read.
 */
import { isRecord } from '../../load/pointer.ts';
import type { KafkaChannelBinding, KafkaOperation } from '../../ir/types.ts';
import { numberAt, type AsyncApiContext } from './context.ts';
import type { View } from './view.ts';

/** The channel's `bindings.kafka`, or undefined when there is none (`bindings: {}` included). */
export function parseKafkaChannelBinding(
  ctx: AsyncApiContext,
  channel: View,
  address: string,
): KafkaChannelBinding | undefined {
  const kafka = channel.view('bindings')?.view('kafka');
  if (kafka === undefined) return undefined;
  const topic = kafka.string('topic');
  const partitions = numberAt(kafka.field('partitions'));
  const replicas = numberAt(kafka.field('replicas'));
  const config: Record<string, string | number | boolean> = {};
  let cleanupPolicy: string[] = [];
  const topicConfiguration = kafka.field('topicConfiguration');
  for (const [name, node] of topicConfiguration ? ctx.entries(topicConfiguration) : []) {
    // `x-` keys are specification extensions, not Kafka topic settings.
    if (name.startsWith('x-')) continue;
    const value = configValue(node.value);
    if (value === undefined) continue;
    config[name] = value;
    if (name === 'cleanup.policy') cleanupPolicy = cleanupPolicyOf(node.value);
  }
  return {
    ...(topic === undefined || topic === address ? {} : { topic }),
    ...(partitions === undefined ? {} : { partitions }),
    ...(replicas === undefined ? {} : { replicas }),
    cleanupPolicy,
    compacted: cleanupPolicy.includes('compact'),
    config,
    source: ctx.locate(kafka.self),
  };
}

/** The operation's `bindings.kafka` `groupId` and `clientId` schemas, when either is given. */
export function parseKafkaOperationBinding(
  ctx: AsyncApiContext,
  operation: View,
): KafkaOperation['kafka'] {
  const kafka = operation.view('bindings')?.view('kafka');
  const groupId = kafka?.schema('groupId');
  const clientId = kafka?.schema('clientId');
  if (groupId === undefined && clientId === undefined) return undefined;
  return {
    ...(groupId === undefined ? {} : { groupId: ctx.schema(groupId) }),
    ...(clientId === undefined ? {} : { clientId: ctx.schema(clientId) }),
  };
}

/** A Kafka config value; a list (the binding writes `cleanup.policy` as one) joins with commas. */
function configValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.join(',');
  }
  return undefined;
}

/** `cleanup.policy` as a list (`[compact, delete]`) or Kafka's comma string (`compact,delete`). */
export function cleanupPolicyOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items
    .filter((item): item is string => typeof item === 'string')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

/** True when the `bindings` mapping names only protocols other than Kafka. */
export function hasOnlyOtherBindings(bindings: View | undefined): boolean {
  if (bindings === undefined || !isRecord(bindings.self.value)) return false;
  const protocols = Object.keys(bindings.self.value).filter((key) => !key.startsWith('x-'));
  return protocols.length > 0 && !protocols.includes('kafka');
}
