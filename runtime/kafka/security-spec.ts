/**
 * What generated code declares of a Kafka server's security (design.md §9); security.ts
 * completes it from the environment. Types only, with no imports: the generator's in-memory
 * type check of generated files reads this file as it is (generator/emit/…/check-files.ts).
 */

/** The SASL mechanisms specgate connects with. */
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** How the AsyncAPI server says clients connect. */
export interface KafkaSecuritySpec {
  /** Connect over TLS (`kafka-secure`, or an `X509` scheme). */
  readonly tls: boolean;
  /** The SASL mechanisms its security schemes allow, in declaration order; empty for none. */
  readonly mechanisms: readonly KafkaSaslMechanism[];
}

/** Where the `KAFKA_SASL_*` and `KAFKA_SSL*` settings are read from: `process.env` or a stand-in. */
export type KafkaEnv = Readonly<Record<string, string | undefined>>;
