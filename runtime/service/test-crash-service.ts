// A service process for the crash test (crash.test.ts), run as `node --import tsx <this file>`
// with its settings as JSON in CRASH_SERVICE. Prints `ready` once consuming. With `killAtCommit`,
// it SIGKILLs itself when about to commit its n-th transaction: events, replies and offsets are
// written then, but not committed. SIGTERM closes it cleanly.
import { setTimeout as sleep } from 'node:timers/promises';
import { startService } from './index.ts';

interface Settings {
  readonly brokers: string[];
  readonly commands: string;
  readonly events: string;
  readonly groupId: string;
  readonly transactionalId: string;
  readonly killAtCommit?: number;
}

const settings = JSON.parse(process.env.CRASH_SERVICE ?? '{}') as Settings;
let commits = 0;

const service = startService({
  spec: {
    title: 'Crash Test',
    commandTopic: settings.commands,
    dispatch: { header: 'command-type' },
    commands: [{ name: 'Count', payload: { type: 'object', required: ['n'] } }],
    outputs: [
      { topic: settings.events, kind: 'event', messages: ['Counted'], typeHeader: 'event-type' },
    ],
    schemas: {},
    correlationHeader: 'zilla:correlation-id',
    replyToHeader: 'zilla:reply-to',
  },
  brokers: settings.brokers,
  groupId: settings.groupId,
  transactionalId: settings.transactionalId,
  sessionTimeoutMs: 6000,
  batch: { maxCommands: 5 },
  log: (entry) => {
    if (entry.message === 'committing a transaction') {
      commits++;
      if (commits === settings.killAtCommit) process.kill(process.pid, 'SIGKILL');
      return;
    }
    if (entry.level === 'error') console.error(entry.message);
  },
  handlers: {
    Count: async (command, ctx) => {
      await sleep(10);
      const { n } = command.body as { n: number };
      ctx.emit(settings.events, 'Counted', { n });
      return { status: 201, body: { n } };
    },
  },
});

process.on('SIGTERM', () => {
  void service.close().then(() => process.exit(0));
});
await service.ready;
console.log('ready');
