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
  /** A SASL_SSL listener for clients besides the PLAINTEXT one. */
  readonly secure?: SecureListenerInput;
}

/** A SASL_SSL listener: TLS from a PKCS12 keystore, then PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. */
export interface SecureListenerInput {
  readonly port: number;
  /** PKCS12 keystore holding the broker's key and certificate. */
  readonly keystore: string;
  readonly keystorePassword: string;
  /** Who may log in; SCRAM credentials are added at format time (`scramArguments`). */
  readonly users: readonly KafkaUser[];
}

export interface KafkaUser {
  /** Letters, digits, `.`, `_` and `-` only (they go unquoted into JAAS and StorageTool). */
  readonly name: string;
  /** Same characters as `name`. */
  readonly password: string;
}

/** The mechanisms the SASL_SSL listener enables. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** server.properties for one node acting as broker and controller. */
export function renderServerProperties(input: BrokerConfigInput): string {
  const { dir, port, controllerPort, secure } = input;
  const secureListener = secure === undefined ? '' : `,SASL_SSL://127.0.0.1:${secure.port}`;
  const entries: readonly (readonly [string, string | number])[] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@127.0.0.1:${controllerPort}`],
    ['controller.listener.names', 'CONTROLLER'],
    [
      'listeners',
      `PLAINTEXT://127.0.0.1:${port}${secureListener},CONTROLLER://127.0.0.1:${controllerPort}`,
    ],
    ['advertised.listeners', `PLAINTEXT://127.0.0.1:${port}${secureListener}`],
    // The broker talks to itself (and its controller) over PLAINTEXT: only clients use SASL_SSL.
    ['inter.broker.listener.name', 'PLAINTEXT'],
    [
      'listener.security.protocol.map',
      `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secure === undefined ? '' : ',SASL_SSL:SASL_SSL'}`,
    ],
    ...(secure === undefined ? [] : secureListenerEntries(secure)),
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

/**
 * The SASL_SSL listener's settings (Kafka 4.1 names, per listener: `listener.name.sasl_ssl.…`).
 * PLAIN checks passwords against the JAAS `user_<name>` options; SCRAM against the credentials
 * StorageTool wrote into the metadata log (`scramArguments`), so its login modules take none.
 */
function secureListenerEntries(secure: SecureListenerInput): [string, string][] {
  for (const user of secure.users) checkUser(user);
  const prefix = 'listener.name.sasl_ssl';
  const plainUsers = secure.users.map(({ name, password }) => ` user_${name}="${password}"`);
  return [
    [`${prefix}.sasl.enabled.mechanisms`, SASL_MECHANISMS.join(',')],
    [
      `${prefix}.plain.sasl.jaas.config`,
      `org.apache.kafka.common.security.plain.PlainLoginModule required${plainUsers.join('')};`,
    ],
    ...SCRAM_MECHANISMS.map((mechanism): [string, string] => [
      `${prefix}.${mechanism.toLowerCase()}.sasl.jaas.config`,
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ]),
    [`${prefix}.ssl.keystore.type`, 'PKCS12'],
    [`${prefix}.ssl.keystore.location`, secure.keystore],
    [`${prefix}.ssl.keystore.password`, secure.keystorePassword],
    [`${prefix}.ssl.key.password`, secure.keystorePassword],
  ];
}

/** `kafka.tools.StorageTool format` arguments that create each user's SCRAM credentials. */
export function scramArguments(users: readonly KafkaUser[]): string[] {
  return users.flatMap((user) => {
    checkUser(user);
    return SCRAM_MECHANISMS.flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${user.name},password=${user.password}]`,
    ]);
  });
}

function checkUser({ name, password }: KafkaUser): void {
  const safe = /^[A-Za-z0-9._-]+$/;
  if (!safe.test(name) || !safe.test(password)) {
    throw new Error(
      `Kafka user "${name}": names and passwords may use only letters, digits, ".", "_" and "-"`,
    );
  }
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
