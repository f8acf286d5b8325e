// A TypeScript program run as a child process (`node --import tsx <script>`) that prints `ready`
// once it works: for tests that kill and restart a service as a crash would.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ReadyChild {
  readonly process: ChildProcess;
  /** Resolves when the child printed `ready`; rejects, with its output, if it exits first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

export function startReadyChild(script: string, env: Record<string, string>): ReadyChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`${script} exited (${code ?? signal}) before ready:\n${output}`)),
    );
  });
  ready.catch(() => undefined);
  return { process: child, ready, exited, output: () => output };
}
