// The files a single-node KRaft broker starts from (docs/kafka.md, "Start a broker", step 2).
import { randomBytes } from 'node:crypto';

export interface BrokerConfigInput {
  /** The temp folder the broker owns; data goes in `<dir>/data` unless `dataDir` says. */
  readonly dir: string;
  /** Where the data goes (`log.dirs`); default `<dir>/data`. */
  readonly dataDir?: string;
  /** PLAINTEXT listener for clients, on 127.0.0.1. */
  readonly port: number;
  /** CONTROLLER listener for the KRaft quorum of one, on 127.0.0.1. */
  readonly controllerPort: number;
}

/** server.properties for one node acting as broker and controller. */
export function renderServerProperties(input: BrokerConfigInput): string {
  const { dir, port, controllerPort } = input;
  const entries: readonly (readonly [string, string | number])[] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@127.0.0.1:${controllerPort}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['listeners', `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://127.0.0.1:${port}`],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['log.dirs', input.dataDir ?? `${dir}/data`],
    // One node: every internal topic gets one replica and one partition.
    ['offsets.topic.replication.factor', 1],
    ['offsets.topic.num.partitions', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['transaction.state.log.num.partitions', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['group.initial.rebalance.delay.ms', 0],
    // Small thread pools: the test machines have two cores.
    ['num.network.threads', 2],
    ['num.io.threads', 2],
    ['background.threads', 2],
    ['num.recovery.threads.per.data.dir', 1],
    ['log.cleaner.threads', 1],
    ['log.cleaner.dedupe.buffer.size', 16_777_216],
    // The cleaner looks for dirty logs every second instead of every 15 s, so compaction tests
    // finish quickly; they still allow for the default when KAFKA_BROKERS points elsewhere.
    ['log.cleaner.backoff.ms', 1000],
  ];
  return entries.map(([key, value]) => `${key}=${value}\n`).join('');
}

/** Quiet logging to stdout (guard.sh sends it to `<dir>/broker.log`): WARN, plus startup lines. */
export function renderLog4j2Properties(): string {
  return [
    'status = warn',
    'name = specgate-kafka',
    'appender.console.type = Console',
    'appender.console.name = STDOUT',
    'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = WARN',
    'rootLogger.appenderRef.console.ref = STDOUT',
    'logger.raftServer.name = kafka.server.KafkaRaftServer',
    'logger.raftServer.level = INFO',
    '',
  ].join('\n');
}

/** A KRaft cluster id: 16 random bytes, base64url, 22 characters, not starting with `-`. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
