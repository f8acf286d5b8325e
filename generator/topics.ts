/**
 * The Kafka topics an AsyncAPI document declares, as `ensureTopics` creates them: every Kafka
 * channel with a fixed address, its partitions, replicas and `topicConfiguration` from the
 * channel's kafka binding. Channels with `{parameters}` in their address name many topics and
 * are left out, as are channels of other protocols.
 */
import type { Api } from './ir/types.ts';
import type { TopicSpec } from '../runtime/kafka/types.ts';

export function declaredTopics(api: Pick<Api, 'kafka'>): TopicSpec[] {
  const topics = new Map<string, TopicSpec>();
  for (const channel of api.kafka.channels) {
    if (!channel.isKafka || channel.parameters.length > 0 || channel.address.includes('{')) {
      continue;
    }
    const binding = channel.kafka;
    const topic = binding?.topic ?? channel.address;
    if (topics.has(topic)) continue;
    const config: Record<string, string> = {};
    for (const [name, value] of Object.entries(binding?.config ?? {})) {
      if (name !== 'cleanup.policy') config[name] = String(value);
    }
    if (binding !== undefined && binding.cleanupPolicy.length > 0) {
      config['cleanup.policy'] = binding.cleanupPolicy.join(',');
    }
    topics.set(topic, {
      topic,
      ...(binding?.partitions === undefined ? {} : { partitions: binding.partitions }),
      ...(binding?.replicas === undefined ? {} : { replicationFactor: binding.replicas }),
      ...(Object.keys(config).length === 0 ? {} : { config }),
    });
  }
  return [...topics.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}
