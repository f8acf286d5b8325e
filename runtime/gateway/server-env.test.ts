import { describe, expect, it } from 'vitest';
import { ConfigurationError, serverEnv } from './server-env.ts';

describe('serverEnv', () => {
  it('reads HOST, PORT and KAFKA_BROKERS, with defaults for the first two', () => {
    expect(serverEnv({ KAFKA_BROKERS: 'a:9092, [::1]:9093' })).toEqual({
      host: '127.0.0.1',
      port: 8080,
      brokers: ['a:9092', '[::1]:9093'],
    });
    expect(serverEnv({ HOST: '0.0.0.0', PORT: '0', KAFKA_BROKERS: 'k:1' })).toMatchObject({
      host: '0.0.0.0',
      port: 0,
    });
  });

  it('names every bad variable at once', () => {
    let caught: unknown;
    try {
      serverEnv({ PORT: '80a', KAFKA_BROKERS: 'kafka, k:99999' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as ConfigurationError).problems).toEqual([
      'PORT must be a TCP port number from 0 to 65535, not "80a"',
      'KAFKA_BROKERS has "kafka", which is not host:port (e.g. 127.0.0.1:9092)',
      'KAFKA_BROKERS has "k:99999", which is not host:port (e.g. 127.0.0.1:9092)',
    ]);
    expect(() => serverEnv({})).toThrow(/KAFKA_BROKERS is not set/);
  });

  it('reads OPERATIONS_PORT, the port of /metrics, /livez and /readyz when set', () => {
    expect(serverEnv({ KAFKA_BROKERS: 'k:1', OPERATIONS_PORT: '9464' }).operationsPort).toBe(9464);
    expect(serverEnv({ KAFKA_BROKERS: 'k:1' })).not.toHaveProperty('operationsPort');
    expect(() => serverEnv({ KAFKA_BROKERS: 'k:1', OPERATIONS_PORT: 'ops' })).toThrow(
      'OPERATIONS_PORT must be a TCP port number from 0 to 65535, not "ops"',
    );
  });
});
