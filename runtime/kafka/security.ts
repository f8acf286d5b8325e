/**
 * TLS and SASL for Kafka connections (design.md §9): what the AsyncAPI server declares (its
 * `kafka-secure` protocol and security schemes, emitted into generated code as a
 * {@link KafkaSecuritySpec}), completed and overridden by the environment:
 *
 * - `KAFKA_SASL_MECHANISM`: `plain`, `scram-sha-256` or `scram-sha-512`. Picks one of the
 *   declared mechanisms (default: the first declared), or sets one when none is declared.
 * - `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`: the credentials, required with any mechanism.
 * - `KAFKA_SSL`: `true` or `false`, overriding the declaration. Default: TLS when the server is
 *   `kafka-secure`, or when one of the files below is given.
 * - `KAFKA_SSL_CA_FILE`: PEM file of the CA certificate(s) to trust instead of Node's defaults.
 * - `KAFKA_SSL_CERT_FILE` and `KAFKA_SSL_KEY_FILE`: PEM client certificate and key, for mutual
 *   TLS; both or neither.
 *
 * Errors name the variables, never the password.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { KafkaEnv, KafkaSaslMechanism, KafkaSecuritySpec } from './security-spec.ts';
import type { KafkaClientConfig, KafkaSaslConfig } from './types.ts';

export type { KafkaEnv, KafkaSaslMechanism, KafkaSecuritySpec } from './security-spec.ts';

/** The part of a {@link KafkaClientConfig} that this resolves. */
export type KafkaSecurity = Pick<KafkaClientConfig, 'ssl' | 'sasl'>;

const mechanisms: readonly KafkaSaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

/** The `ssl` and `sasl` of a Kafka client config; throws, naming the variable, on bad settings. */
export function resolveKafkaSecurity(
  declared: KafkaSecuritySpec | undefined,
  env: KafkaEnv = process.env,
): KafkaSecurity {
  const ssl = resolveTls(declared?.tls ?? false, env);
  const sasl = resolveSasl(declared?.mechanisms ?? [], env);
  return {
    ...(ssl === undefined ? {} : { ssl }),
    ...(sasl === undefined ? {} : { sasl }),
  };
}

/** `SASL SCRAM-SHA-256 login of user "alice"`: what a message may say of a login, never more. */
export function describeSasl(
  sasl: { readonly mechanism: string; readonly username?: string } | undefined,
): string {
  if (sasl === undefined) return 'no SASL';
  const mechanism = `SASL ${sasl.mechanism.toUpperCase()}`;
  return sasl.username === undefined ? mechanism : `${mechanism} login of user "${sasl.username}"`;
}

/** The kafkajs shape of a SASL config. */
export function toKafkajsSasl(sasl: KafkaSaslConfig): SASLOptions {
  if (sasl.mechanism === 'oauthbearer') {
    const { token } = sasl;
    return {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: await token() }),
    };
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

function resolveTls(declared: boolean, env: KafkaEnv): true | ConnectionOptions | undefined {
  const caFile = setting(env, 'KAFKA_SSL_CA_FILE');
  const certFile = setting(env, 'KAFKA_SSL_CERT_FILE');
  const keyFile = setting(env, 'KAFKA_SSL_KEY_FILE');
  const override = booleanSetting(env, 'KAFKA_SSL');
  const files = caFile !== undefined || certFile !== undefined || keyFile !== undefined;
  if (!(override ?? (declared || files))) return undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error(
      'Kafka TLS: set both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE for a client certificate, or neither',
    );
  }
  if (!files) return true;
  return {
    ...(caFile === undefined ? {} : { ca: readPem('KAFKA_SSL_CA_FILE', caFile) }),
    ...(certFile === undefined ? {} : { cert: readPem('KAFKA_SSL_CERT_FILE', certFile) }),
    ...(keyFile === undefined ? {} : { key: readPem('KAFKA_SSL_KEY_FILE', keyFile) }),
  };
}

function resolveSasl(
  declared: readonly KafkaSaslMechanism[],
  env: KafkaEnv,
): KafkaSaslConfig | undefined {
  const chosen = setting(env, 'KAFKA_SASL_MECHANISM')?.toLowerCase();
  const username = setting(env, 'KAFKA_SASL_USERNAME');
  // Taken as it is: spaces may belong to a password.
  const password = env.KAFKA_SASL_PASSWORD === '' ? undefined : env.KAFKA_SASL_PASSWORD;
  const mechanism = chosen === undefined ? declared[0] : mechanismOf(chosen, declared);
  if (mechanism === undefined) {
    if (username !== undefined || password !== undefined) {
      throw new Error(
        'Kafka SASL: KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set, but the AsyncAPI server declares no SASL scheme: set KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)',
      );
    }
    return undefined;
  }
  const missing = [
    ...(username === undefined ? ['KAFKA_SASL_USERNAME'] : []),
    ...(password === undefined ? ['KAFKA_SASL_PASSWORD'] : []),
  ];
  if (username === undefined || password === undefined) {
    const source =
      chosen === undefined ? 'the AsyncAPI server declares it' : 'KAFKA_SASL_MECHANISM';
    throw new Error(
      `Kafka SASL ${mechanism.toUpperCase()} (${source}) needs credentials: set ${missing.join(' and ')}`,
    );
  }
  return { mechanism, username, password };
}

function mechanismOf(chosen: string, declared: readonly KafkaSaslMechanism[]): KafkaSaslMechanism {
  const mechanism = mechanisms.find((m) => m === chosen);
  if (mechanism === undefined) {
    throw new Error(
      `KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, not "${chosen}"`,
    );
  }
  if (declared.length > 0 && !declared.includes(mechanism)) {
    throw new Error(
      `KAFKA_SASL_MECHANISM=${chosen} is not one the AsyncAPI server allows (${declared.join(', ')})`,
    );
  }
  return mechanism;
}

/** A variable's value; unset and blank are the same. */
function setting(env: KafkaEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function booleanSetting(env: KafkaEnv, name: string): boolean | undefined {
  const value = setting(env, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`${name} must be true or false, not "${value}"`);
}

function readPem(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${name}: cannot read ${file}: ${reason}`, { cause: error });
  }
}
