/**
 * The gateway's Prometheus metrics (design.md §11), one registry per gateway so that several in
 * one process never share a counter. The modules they count call small hooks here; what can be
 * read off a view or a reader is read when `/metrics` is scraped. The process's own metrics
 * (CPU, memory, event-loop delay, GC) are collected once per process and served with them.
 *
 * HTTP requests are labelled by route pattern (`/tasks/:id`, `unmatched` for a 404/405), never
 * by raw URL. An event stream that started is left out of the HTTP metrics: it is counted by
 * `specgate_sse_*`, and its duration is the client's stay, not a latency.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KafkaAdmin } from '../kafka/types.ts';
import type { StreamOptions } from './api.ts';
import { KafkaWatch, type KafkaObserver } from './observed-kafka.ts';
import type { MaterializedView } from './views/materialized-view.ts';

/** What commands.ts reports. */
export interface CommandMetrics {
  /** A request-reply command waited this long; `answered` false: it timed out. */
  replyWaited(topic: string, seconds: number, answered: boolean): void;
}

/** What the scrape-time metrics read. */
export interface MetricSources {
  readonly views: ReadonlyMap<string, MaterializedView>;
  readonly admin: KafkaAdmin;
  /** The reply topics, counted from zero. */
  readonly replyTopics: Iterable<string>;
  /** True once the gateway is ready (its views loaded). */
  ready(): boolean;
}

/** Longest wait for a topic's end offsets at a scrape; a slower topic has no lag sample. */
const lagTimeoutMs = 2000;

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class GatewayMetrics implements CommandMetrics, KafkaObserver {
  readonly registry = new Registry();
  /** The gateway's readers and producers, observed. */
  readonly kafka = new KafkaWatch(this);
  readonly #streams = new WeakSet<FastifyRequest>();
  #sources: MetricSources | undefined;

  /** Its `_count` is the number of requests by method, route and status: no counter besides. */
  readonly #requestSeconds = new Histogram({
    name: 'specgate_http_request_duration_seconds',
    help: 'HTTP requests (_count) and their durations, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [...latencyBuckets, 30, 60],
    registers: [this.registry],
  });
  readonly #produceSeconds = new Histogram({
    name: 'specgate_produce_duration_seconds',
    help: 'Time from send to the broker acknowledging the record, by topic and result',
    labelNames: ['topic', 'result'],
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  readonly #batchRecords = new Histogram({
    name: 'specgate_producer_batch_records',
    help: 'Records per producer micro-batch (concurrent sends written together)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
    registers: [this.registry],
  });
  readonly #replySeconds = new Histogram({
    name: 'specgate_reply_wait_seconds',
    help: 'Time a request-reply command waited for its reply, by reply topic and outcome',
    labelNames: ['topic', 'outcome'],
    buckets: [...latencyBuckets, 30, 60],
    registers: [this.registry],
  });
  readonly #replyTimeouts = new Counter({
    name: 'specgate_reply_timeouts_total',
    help: 'Request-reply commands whose reply did not come in time (202 or 504)',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly #streamsOpen = new Gauge({
    name: 'specgate_sse_streams_open',
    help: 'Server-sent event streams open now, by operation',
    labelNames: ['operation'],
    registers: [this.registry],
  });
  readonly #streamsEnded = new Counter({
    name: 'specgate_sse_streams_ended_total',
    help: 'Event streams ended, by operation and reason (buffer-full: a slow client was dropped)',
    labelNames: ['operation', 'reason'],
    registers: [this.registry],
  });

  constructor() {
    const registers = [this.registry];
    const lag: Gauge<'topic' | 'partition'> = new Gauge({
      name: 'specgate_view_lag_records',
      help: "Records in a view's topic partition that the view has not applied yet",
      labelNames: ['topic', 'partition'],
      registers,
      collect: async () => {
        lag.reset();
        const sources = this.#sources;
        if (sources === undefined) return;
        await Promise.all(
          [...sources.views].map(async ([topic, view]) => {
            const ends = await withTimeout(
              sources.admin.highWatermarks(topic, { isolation: 'read_committed' }),
              lagTimeoutMs,
            );
            if (ends === undefined) return;
            const applied = view.progressOffsets();
            for (const [partition, end] of Object.entries(ends)) {
              const behind = BigInt(end) - BigInt(applied[Number(partition)] ?? '0');
              lag.set({ topic, partition }, behind > 0n ? Number(behind) : 0);
            }
          }),
        );
      },
    });
    const entries: Gauge<'topic'> = new Gauge({
      name: 'specgate_view_entries',
      help: 'Keys a view holds, by topic',
      labelNames: ['topic'],
      registers,
      collect: () => {
        for (const [topic, view] of this.#sources?.views ?? []) entries.set({ topic }, view.size);
      },
    });
    const connected: Gauge = new Gauge({
      name: 'specgate_kafka_connected',
      help: '1 while every view, reply and idempotency reader reaches its broker; else 0',
      registers,
      collect: () => connected.set(this.kafka.reachable() ? 1 : 0),
    });
    const readers: Gauge<'role' | 'state'> = new Gauge({
      name: 'specgate_kafka_readers',
      help: 'Topic readers by role (core: views, replies, idempotency; request) and state',
      labelNames: ['role', 'state'],
      registers,
      collect: () => {
        for (const { role, state, count } of this.kafka.counts())
          readers.set({ role, state }, count);
      },
    });
    const ready: Gauge = new Gauge({
      name: 'specgate_gateway_ready',
      help: '1 once every view has caught up (the gateway serves its routes); else 0',
      registers,
      collect: () => ready.set(this.#sources?.ready() === true ? 1 : 0),
    });
  }

  /** The Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Tells the scrape-time metrics what to read. */
  track(sources: MetricSources): void {
    this.#sources = sources;
    for (const topic of sources.replyTopics) this.#replyTimeouts.inc({ topic }, 0);
  }

  /** The Prometheus exposition text: the process's metrics, then the gateway's. */
  async text(): Promise<string> {
    const [process, own] = await Promise.all([processMetrics().metrics(), this.registry.metrics()]);
    return `${process}${own}`;
  }

  /** Counts every answer of `app` (register before its routes are used). */
  countRequests(app: FastifyInstance): void {
    app.addHook('onResponse', (request, reply, done) => {
      const status = reply.statusCode;
      if (!(status === 200 && this.#streams.has(request))) {
        const labels = {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(status),
        };
        this.#requestSeconds.observe(labels, reply.elapsedTime / 1000);
      }
      done();
    });
  }

  /** Marks a request that asks for an event stream: once started, not an HTTP latency. */
  streamRequested(request: FastifyRequest): void {
    this.#streams.add(request);
  }

  /** The stream hooks of one operation, calling the configured ones too. */
  streamHooks(
    operation: string,
    configured: StreamOptions | undefined,
  ): Required<Pick<StreamOptions, 'onStreamStart' | 'onStreamEnd'>> {
    this.#streamsOpen.set({ operation }, 0);
    return {
      onStreamStart: () => {
        this.#streamsOpen.inc({ operation });
        configured?.onStreamStart?.();
      },
      onStreamEnd: (end) => {
        this.#streamsOpen.dec({ operation });
        this.#streamsEnded.inc({ operation, reason: end.reason });
        configured?.onStreamEnd?.(end);
      },
    };
  }

  replyWaited(topic: string, seconds: number, answered: boolean): void {
    this.#replySeconds.observe({ topic, outcome: answered ? 'reply' : 'timeout' }, seconds);
    if (!answered) this.#replyTimeouts.inc({ topic });
  }

  produced(topic: string, seconds: number, result: string): void {
    this.#produceSeconds.observe({ topic, result }, seconds);
  }

  batch(records: number): void {
    this.#batchRecords.observe(records);
  }
}

let processRegistry: Registry | undefined;

/** The process's metrics, in a registry of their own: collected once however many gateways. */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The promise's value, or undefined when it rejects or takes longer than `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
