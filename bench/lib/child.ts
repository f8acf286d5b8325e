/**
 * A server under test in a child process of its own, pinned to one core with `taskset` when the
 * machine has more than one, with its CPU time read from /proc (user + system).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux). */
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || '100');

export const canPin = cpus().length > 1 && spawnSync('taskset', ['-V']).status === 0;

/** Pins this process (the load generator) to `core`; says what it did. */
export function pinSelf(core: number): string {
  if (!canPin) return 'not pinned (one core, or no taskset)';
  spawnSync('taskset', ['-cp', String(core), String(process.pid)]);
  return `pinned to core ${core}`;
}

export interface ServerChild {
  readonly url: string;
  readonly process: ChildProcess;
  /** CPU seconds (user + system) the child used so far. */
  cpuSeconds(): number;
  /** The child's resident set size now (VmRSS of /proc/<pid>/status), in bytes. */
  rssBytes(): number;
  /** Sends `message` over IPC; resolves with the child's first message of type `answer`. */
  ask(
    message: { readonly type: string; readonly [field: string]: unknown },
    answer: string,
  ): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Runs `node --import tsx <script>` on `core` (negative: any core); resolves when the child sends
 * `{ type: 'ready', url }` over IPC.
 */
export async function startServerChild(
  script: URL,
  options: {
    readonly core: number;
    readonly env?: Record<string, string>;
    /** Extra node flags (`--cpu-prof`, say). */
    readonly nodeArgs?: readonly string[];
  },
): Promise<ServerChild> {
  const node = [
    process.execPath,
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    fileURLToPath(script),
  ];
  // A negative core: not pinned (it floats, as the broker does).
  const pin = canPin && options.core >= 0;
  const [command, ...args] = pin ? ['taskset', '-c', String(options.core), ...node] : node;
  const child = spawn(command ?? process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type === 'ready' && typeof message.url === 'string') resolve(message.url);
    });
    void exited.then(([code]) => reject(new Error(`${script.pathname} exited (${String(code)})`)));
  });
  const pid = child.pid ?? 0;
  return {
    url,
    process: child,
    cpuSeconds() {
      // Fields after the command name (which may hold spaces): utime is the 14th, stime the 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    },
    rssBytes() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      return Number(kib ?? Number.NaN) * 1024;
    },
    ask(message, answer) {
      return new Promise((resolve) => {
        const onMessage = (reply: { type?: string }) => {
          if (reply.type !== answer) return;
          child.off('message', onMessage);
          resolve(reply as Record<string, unknown>);
        };
        child.on('message', onMessage);
        child.send(message);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
