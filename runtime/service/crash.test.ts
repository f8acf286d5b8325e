// Exactly once under crashes: a service process is SIGKILLed twice while it works through 200
// commands (once with a transaction written but not committed, once from outside at a random
// point), restarted with the same group and transactional id each time; afterwards every command
// has exactly one committed reply and exactly one committed event.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueId } from '../../test/kafka/brokers.ts';
import { readTopic } from '../../test/kafka/read-topic.ts';
import { startReadyChild, type ReadyChild } from '../../test/process/ready-child.ts';
import {
  correlationHeader,
  createTestTopics,
  header,
  json,
  produceCommands,
  replyToHeader,
  waitForRecords,
} from './test-support.ts';

const COMMANDS = 200;
const script = fileURLToPath(new URL('./test-crash-service.ts', import.meta.url));

type Child = ReadyChild;

function startChild(settings: Record<string, unknown>): Child {
  return startReadyChild(script, { CRASH_SERVICE: JSON.stringify(settings) });
}

describe('startService under crashes', () => {
  it('handles each command exactly once across SIGKILLs and restarts', async () => {
    const topics = await createTestTopics('crash');
    const settings = {
      brokers: kafkaBrokers(),
      commands: topics.commands,
      events: topics.events,
      groupId: topics.groupId,
      transactionalId: uniqueId('crash-tx'),
    };
    await produceCommands(
      topics.commands,
      Array.from({ length: COMMANDS }, (_, n) => ({
        key: `counter-${n % 17}`,
        value: { n },
        headers: {
          'command-type': 'Count',
          [correlationHeader]: `c${n}`,
          [replyToHeader]: topics.replies,
        },
      })),
    );
    const children: Child[] = [];
    try {
      // 1. Dies on its own at its 4th commit, with that transaction's records written.
      const first = startChild({ ...settings, killAtCommit: 4 });
      children.push(first);
      expect(await first.exited, first.output()).toEqual({ code: null, signal: 'SIGKILL' });
      const afterFirst = await readTopic(topics.replies);
      // Three runs committed before the fourth was cut short.
      expect(afterFirst.length).toBeGreaterThanOrEqual(3);
      expect(afterFirst.length).toBeLessThanOrEqual(15);

      // 2. Killed from outside while it works.
      const second = startChild(settings);
      children.push(second);
      await second.ready;
      const seen = await waitForRecords(topics.replies, (records) => records.length >= 60);
      second.process.kill('SIGKILL');
      expect((await second.exited).signal).toBe('SIGKILL');
      expect(seen.length).toBeLessThan(COMMANDS);

      // 3. Finishes the work.
      const third = startChild(settings);
      children.push(third);
      await third.ready;
      await waitForRecords(topics.replies, (records) => records.length >= COMMANDS, 30_000);
      third.process.kill('SIGTERM');
      expect(await third.exited, third.output()).toEqual({ code: 0, signal: null });
    } finally {
      for (const child of children) if (child.process.exitCode === null) child.process.kill();
    }

    const replies = await readTopic(topics.replies);
    const events = await readTopic(topics.events);
    const wanted = Array.from({ length: COMMANDS }, (_, n) => n);
    const replied = replies.map((reply) => Number(header(reply, correlationHeader)?.slice(1)));
    expect(replied.sort((a, b) => a - b)).toEqual(wanted);
    expect(replies.every((reply) => header(reply, ':status') === '201')).toBe(true);
    const counted = events.map((event) => (json(event) as { n: number }).n);
    expect(counted.sort((a, b) => a - b)).toEqual(wanted);
    // The first crash left records in the log that no read_committed reader sees.
    const everything = await readTopic(topics.events, { isolation: 'read_uncommitted' });
    expect(everything.length).toBeGreaterThan(COMMANDS);
  }, 60_000);
});
