/**
 * The environment a served gateway reads (`HOST`, `PORT`, `KAFKA_BROKERS`, `OPERATIONS_PORT`),
 * checked all at once at start-up: a bad value stops the process with a message naming each
 * variable and what is wrong with it (design.md §11), instead of a NaN port or a broker list
 * that never connects.
 */

export interface ServerEnv {
  readonly host: string;
  readonly port: number;
  readonly brokers: readonly string[];
  /** A port of their own for `/metrics`, `/livez` and `/readyz`; unset: the gateway's port. */
  readonly operationsPort?: number;
}

/** Every problem of the environment, one per line. */
export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigurationError';
  }
}

type Env = { readonly [name: string]: string | undefined };

export function serverEnv(env: Env = process.env, brokers?: readonly string[]): ServerEnv {
  const problems: string[] = [];
  const host = env.HOST?.trim() || '127.0.0.1';
  const portText = env.PORT?.trim() || '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    problems.push(`PORT must be a TCP port number from 0 to 65535, not "${portText}"`);
  }
  const list = brokers ?? (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim());
  const given = list.filter((broker) => broker !== '');
  if (given.length === 0) {
    problems.push(
      'KAFKA_BROKERS is not set: give the bootstrap servers, e.g. KAFKA_BROKERS=127.0.0.1:9092',
    );
  }
  for (const broker of given) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s/[\]]+):(\d+)$/.exec(broker);
    const brokerPort = Number(match?.[2]);
    if (match === null || brokerPort < 1 || brokerPort > 65_535) {
      problems.push(`KAFKA_BROKERS has "${broker}", which is not host:port (e.g. 127.0.0.1:9092)`);
    }
  }
  const operationsText = env.OPERATIONS_PORT?.trim() || undefined;
  const operationsPort = operationsText === undefined ? undefined : Number(operationsText);
  if (
    operationsText !== undefined &&
    (!/^\d+$/.test(operationsText) || Number(operationsPort) > 65_535)
  ) {
    problems.push(
      `OPERATIONS_PORT must be a TCP port number from 0 to 65535, not "${operationsText}"`,
    );
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return {
    host,
    port,
    brokers: given,
    ...(operationsPort === undefined ? {} : { operationsPort }),
  };
}
