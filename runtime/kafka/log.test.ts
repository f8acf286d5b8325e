import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaLog } from './log.ts';
import type { KafkaLogEntry } from './types.ts';

describe('createKafkaLog', () => {
  it('is quiet without a sink, and asks kafkajs for nothing', () => {
    const log = createKafkaLog({});
    expect(log.kafkajsLevel).toBe(logLevel.NOTHING);
    expect(() => log.error('reader', 'x')).not.toThrow();
  });

  it('drops entries below the level, and passes kafkajs entries through with their details', () => {
    const entries: KafkaLogEntry[] = [];
    const log = createKafkaLog({ logLevel: 'info', log: (entry) => entries.push(entry) });
    log.debug('reader', 'dropped');
    log.info('reader', 'kept', { partition: 1 });
    const kafkajs = log.kafkajsLogCreator(log.kafkajsLevel);
    kafkajs({
      namespace: 'Admin',
      level: logLevel.WARN,
      label: 'WARN',
      log: { timestamp: 't', logger: 'kafkajs', message: 'careful', topic: 'a' },
    });
    // A failed connection attempt is retried and reported by this layer: not an error here.
    kafkajs({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 't', logger: 'kafkajs', message: 'Connection error: ECONNREFUSED' },
    });
    expect(entries).toEqual([
      {
        level: 'info',
        source: 'specgate',
        namespace: 'reader',
        message: 'kept',
        details: { partition: 1 },
      },
      {
        level: 'warn',
        source: 'kafkajs',
        namespace: 'Admin',
        message: 'careful',
        details: { topic: 'a' },
      },
    ]);
  });

  it('survives a sink that throws', () => {
    const log = createKafkaLog({
      log: () => {
        throw new Error('sink down');
      },
    });
    expect(() => log.warn('producer', 'x')).not.toThrow();
  });
});
