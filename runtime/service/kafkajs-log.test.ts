import { logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { forwardKafkajsLog } from './service.ts';
import type { ServiceLogEntry } from './types.ts';

function levelOf(level: logLevel, namespace: string, log: Record<string, unknown>): string {
  const seen: ServiceLogEntry[] = [];
  const entry: LogEntry = {
    namespace,
    level,
    label: 'ERROR',
    log: { timestamp: '', message: 'Failed to send messages: …', ...log },
  };
  forwardKafkajsLog((e) => seen.push(e), entry);
  return seen[0]?.level ?? 'none';
}

describe('forwardKafkajsLog', () => {
  it('keeps routine retries at debug and surfaces ones that go on, and real errors', () => {
    // CONCURRENT_TRANSACTIONS right after a commit: retried within milliseconds.
    expect(levelOf(logLevel.ERROR, 'Producer', { retryCount: 0, retryTime: 20 })).toBe('debug');
    expect(levelOf(logLevel.ERROR, 'Producer', { retryCount: 2, retryTime: 80 })).toBe('debug');
    expect(levelOf(logLevel.ERROR, 'Producer', { retryCount: 3, retryTime: 160 })).toBe('warn');
    expect(levelOf(logLevel.ERROR, 'Connection', {})).toBe('error');
    expect(levelOf(logLevel.WARN, 'Producer', {})).toBe('warn');
    expect(levelOf(logLevel.INFO, 'Consumer', {})).toBe('info');
  });
});
