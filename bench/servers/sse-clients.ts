// A B5 load generator process: holds many SSE connections (node:http, one socket each), finds
// each frame's `"sentAt":` and records its delivery latency (receive time − sentAt). Driven over
// IPC by bench/sse-fanout.ts:
//
//   { type: 'connect', url, count, deadline }
//                                    → opens `count` streams, at most `concurrency` connecting at
//                                      once (the server's accept backlog is 511), none started
//                                      after `deadline` (epoch ms; those count as errors), and
//                                      answers { type: 'connected', open, errors }
//   { type: 'window', from, to }     → counts from now on; answers { type: 'window' }
//   { type: 'report' }               → { type: 'report', ...WindowReport }
//   { type: 'close' }                → destroys every stream; answers { type: 'closed' }
import { Agent, request, type ClientRequest } from 'node:http';
import { epochMs, LatencyHistogram } from '../lib/ticks.ts';

/** What a client process tells about the current window. */
export interface WindowReport {
  /** Ticks sent in [from, to) that arrived (so far), on any stream. */
  readonly delivered: number;
  /** Their latencies: `[upper bound in ms, count]`. */
  readonly histogram: [number, number][];
  /** Ticks that arrived in [from, to) by the receive time (for throughput and CPU per event). */
  readonly arrivedInWindow: number;
  /** Streams open now. */
  readonly open: number;
  /** Streams open now that had no tick of the window (yet). */
  readonly silent: number;
  /** Streams the server ended or cut since the window began. */
  readonly dropped: number;
  /** Failed connection attempts (errors, timeouts, non-200) since the last `connect`. */
  readonly errors: number;
  /** The failures by kind: an error code, `timeout`, `status <n>`, `not started`. */
  readonly errorKinds: Record<string, number>;
}

const concurrency = 100;
const connectTimeoutMs = 30_000;
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
/** The open streams, each with how many ticks of the window it got. */
const streams = new Map<ClientRequest, { delivered: number }>();
let closing = false;
let from = Number.POSITIVE_INFINITY;
let to = Number.POSITIVE_INFINITY;
let histogram = new LatencyHistogram();
let delivered = 0;
let arrivedInWindow = 0;
let dropped = 0;
let errors = 0;
let errorKinds: Record<string, number> = {};

function failed(kind: string, count = 1): void {
  errors += count;
  errorKinds[kind] = (errorKinds[kind] ?? 0) + count;
}

/** The frames of one stream's text so far; returns the unfinished rest. */
function onText(stream: { delivered: number }, text: string, now: number): string {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n\n', start);
    if (end < 0) break;
    const at = text.indexOf('"sentAt":', start);
    if (at >= 0 && at < end) {
      const sentAt = Number.parseFloat(text.slice(at + 9, at + 40));
      if (now >= from && now < to) arrivedInWindow++;
      if (sentAt >= from && sentAt < to) {
        delivered++;
        stream.delivered++;
        histogram.record(now - sentAt);
      }
    }
    start = end + 2;
  }
  return start === text.length ? '' : text.slice(start);
}

/** Opens one stream; resolves true once its head arrived with 200. */
function openStream(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (failure?: string): void => {
      if (settled) return;
      settled = true;
      if (failure !== undefined) failed(failure);
      resolve(failure === undefined);
    };
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { accept: 'text/event-stream' },
        timeout: connectTimeoutMs,
      },
      (res) => {
        if (res.statusCode !== 200) {
          req.destroy();
          settle(`status ${String(res.statusCode)}`);
          return;
        }
        req.setTimeout(0);
        const stream = { delivered: 0 };
        streams.set(req, stream);
        settle();
        let rest = '';
        res.setEncoding('latin1');
        res.on('data', (chunk: string) => {
          rest = onText(stream, rest === '' ? chunk : rest + chunk, epochMs());
        });
        res.on('error', () => undefined);
        res.on('close', () => {
          if (streams.delete(req) && !closing) dropped++;
        });
      },
    );
    req.on('timeout', () => {
      settle('timeout');
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    req.end();
  });
}

async function connect(url: URL, count: number, deadline: number): Promise<void> {
  closing = false;
  errors = 0;
  errorKinds = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && epochMs() < deadline) {
        next++;
        await openStream(url);
      }
    }),
  );
  if (next < count) failed('not started', count - next);
}

process.send?.({ type: 'ready', url: 'clients' });
process.on(
  'message',
  (message: {
    type?: string;
    url?: string;
    count?: number;
    deadline?: number;
    from?: number;
    to?: number;
  }) => {
    switch (message.type) {
      case 'connect':
        void connect(
          new URL(message.url ?? ''),
          message.count ?? 0,
          message.deadline ?? Number.POSITIVE_INFINITY,
        ).then(() => process.send?.({ type: 'connected', open: streams.size, errors, errorKinds }));
        break;
      case 'window':
        from = message.from ?? Number.POSITIVE_INFINITY;
        to = message.to ?? Number.POSITIVE_INFINITY;
        histogram = new LatencyHistogram();
        delivered = 0;
        arrivedInWindow = 0;
        dropped = 0;
        for (const stream of streams.values()) stream.delivered = 0;
        process.send?.({ type: 'window' });
        break;
      case 'report': {
        const report: WindowReport = {
          delivered,
          histogram: histogram.entries(),
          arrivedInWindow,
          open: streams.size,
          silent: [...streams.values()].filter((stream) => stream.delivered === 0).length,
          dropped,
          errors,
          errorKinds,
        };
        process.send?.({ type: 'report', ...report });
        break;
      }
      case 'close':
        closing = true;
        for (const req of streams.keys()) req.destroy();
        streams.clear();
        process.send?.({ type: 'closed' });
        break;
    }
  },
);
process.once('SIGTERM', () => {
  closing = true;
  for (const req of streams.keys()) req.destroy();
  process.exit(0);
});
