/**
 * What a broker's refusal to let a client in looks like (design.md §9), and the message it gets:
 * a SASL login it rejected, SASL where the listener takes none (or not that mechanism), a TLS
 * handshake that failed. Retrying with the same settings cannot help, so connection.ts and
 * admin.ts turn these into a `NOT_AUTHORIZED` KafkaError at once (the loops above them treat it
 * as fatal), and access-check.ts fails the start-up with it. Messages name the mechanism and the
 * user, never the password.
 */
import { KafkaError } from './errors.ts';
import { describeSasl } from './security.ts';

/** The part of a resolved config a message describes. */
export interface LoginSettings {
  readonly brokers: readonly string[];
  readonly ssl: unknown;
  readonly sasl: { readonly mechanism: string; readonly username?: string } | undefined;
}

/** Kafka protocol error codes: a SASL mechanism the listener lacks; SASL where it takes none. */
const UNSUPPORTED_SASL_MECHANISM = 33;
const ILLEGAL_SASL_STATE = 34;

/**
 * The refusal `error` means, as a NOT_AUTHORIZED KafkaError that says what was refused and what
 * to check; undefined when it means none.
 */
export function refusalOf(error: unknown, config: LoginSettings): KafkaError | undefined {
  for (const current of causes(error)) {
    if (current.name === 'KafkaJSSASLAuthenticationError') {
      return new KafkaError(
        'NOT_AUTHORIZED',
        `Kafka authentication failed: ${brokersOf(config)} refused the ${describeSasl(config.sasl)}: ${current.message}. Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM`,
        { cause: error },
      );
    }
    const protocolCode: unknown = Reflect.get(current, 'code');
    if (protocolCode === UNSUPPORTED_SASL_MECHANISM || protocolCode === ILLEGAL_SASL_STATE) {
      return new KafkaError(
        'NOT_AUTHORIZED',
        `Kafka authentication failed: ${brokersOf(config)} did not take the ${describeSasl(config.sasl)}: ${current.message}. The listener may not use SASL, or not this mechanism: check KAFKA_SASL_MECHANISM and the brokers' address`,
        { cause: error },
      );
    }
    const code = stringProperty(current, 'code');
    if (code !== undefined && isTlsFailure(code)) {
      return new KafkaError(
        'NOT_AUTHORIZED',
        `Kafka authentication failed: the TLS handshake with ${stringProperty(current, 'broker') ?? brokersOf(config)} failed (${code}): ${current.message}. Check KAFKA_SSL_CA_FILE (the CA that signed the broker's certificate) and, if the broker wants one, KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE`,
        { cause: error },
      );
    }
  }
  return undefined;
}

/** Node's TLS verification and OpenSSL handshake error codes. */
function isTlsFailure(code: string): boolean {
  return /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_)|SELF_SIGNED|HOSTNAME_MISMATCH|^EPROTO$/.test(code);
}

/** `TLS, SASL SCRAM-SHA-256 login of user "alice"` */
export function describeSettings(config: LoginSettings): string {
  const tls = config.ssl === undefined || config.ssl === false ? 'no TLS' : 'TLS';
  return `${tls}, ${describeSasl(config.sasl)}`;
}

/** The error and the causes under it (kafkajs wraps what ended its retries). */
export function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 5 && !chain.includes(current)) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

export function stringProperty(value: object, name: string): string | undefined {
  const property: unknown = Reflect.get(value, name);
  return typeof property === 'string' ? property : undefined;
}

function brokersOf(config: LoginSettings): string {
  return config.brokers.length === 1
    ? `the broker at ${config.brokers[0] ?? ''}`
    : `the brokers at ${config.brokers.join(', ')}`;
}
