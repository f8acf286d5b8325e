import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostOf } from './servers.ts';
import { fixtures, parseFile, placeOf } from './testing.ts';

describe('servers', () => {
  it('reads v3 host, protocol, security by scheme name and the schema registry', async () => {
    const file = join(fixtures, 'kafka-v3.yaml');
    const { api } = await parseFile(file);
    expect(api?.servers).toEqual([
      {
        id: 'broker',
        host: 'broker.example.com:9093',
        protocol: 'kafka-secure',
        isKafka: true,
        security: [{ name: 'scram', type: 'scramSha512', description: 'SASL/SCRAM' }],
        schemaRegistryUrl: 'https://registry.example.com',
        source: { file, pointer: '/servers/broker', ...placeOf(file, 'broker:') },
      },
      expect.objectContaining({ id: 'legacy', protocol: 'amqp', isKafka: false, security: [] }),
    ]);
  });

  it('reads a v2 url without its scheme, and security requirements by name', async () => {
    const { api } = await parseFile(join(fixtures, 'kafka-v2.yaml'));
    expect(api?.servers.map((s) => [s.id, s.host, s.protocol, s.isKafka, s.security])).toEqual([
      ['plain', 'broker.example.com:9092', 'kafka', true, [{ name: 'userPass', type: 'plain' }]],
      ['socket', 'ws.example.com', 'wss', false, []],
    ]);
  });
});

describe('hostOf', () => {
  it.each([
    ['test.mykafkacluster.org:18092', 'test.mykafkacluster.org:18092'],
    ['kafka://broker:9092', 'broker:9092'],
    ['kafka-secure://broker:9093/', 'broker:9093'],
    ['wss://ws.example.com/stream', 'ws.example.com'],
    ['{host}:{port}', '{host}:{port}'],
  ])('%s → %s', (url, host) => {
    expect(hostOf(url)).toBe(host);
  });
});
