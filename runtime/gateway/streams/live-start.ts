/**
 * Where a live stream's reader starts (live-stream.ts): the end of every partition when the
 * client connects (`liveStart`), or, on a resume, the progress of its last event id.
 */
import type { KafkaClient } from '../../kafka/types.ts';
import { abortable } from '../../kafka/wait.ts';
import type { Progress } from '../progress.ts';

/**
 * The reader's start for a resume from `resume`: its offset for each partition it names, and
 * the current end (the last stable offset, as the reader reads read_committed) for each it does
 * not. An explicit start map would begin missing partitions at the log start (types.ts
 * `ReaderStart`), which would send a partition's whole history; a partition the progress does
 * not name was never read by the client, so it starts live, at the end as of now.
 *
 * An offset past the current end (a token from another cluster, or a recreated topic) starts at
 * the end; partitions the topic does not have are dropped. An offset before the log start is
 * left to the reader, which continues at the log start (records lost to retention).
 *
 * Rejects as `admin.highWatermarks` does (TOPIC_NOT_FOUND, KAFKA_UNAVAILABLE), or with
 * `Aborted` when `signal` fires.
 */
export async function resumeStart(
  kafka: KafkaClient,
  topic: string,
  resume: Progress,
  signal: AbortSignal,
): Promise<Record<number, string>> {
  const ends = await abortable(
    kafka.admin.highWatermarks(topic, { isolation: 'read_committed' }),
    signal,
  );
  const from: Record<number, string> = {};
  for (const [key, end] of Object.entries(ends)) {
    const partition = Number(key);
    const asked = resume[partition];
    from[partition] = asked !== undefined && BigInt(asked) <= BigInt(end) ? asked : end;
  }
  return from;
}

/**
 * Where a stream without a resume point starts: the end of every partition as the broker
 * reports it now, so a record acknowledged after this resolves is sent. Waits at most
 * `boundMs` (a broker that does not answer must not hold the stream's first byte): then, or when
 * the end offsets cannot be read, `'latest'`, which the reader resolves itself once it can.
 */
export async function liveStart(
  kafka: KafkaClient,
  topic: string,
  boundMs: number,
): Promise<Record<number, string> | 'latest'> {
  const ends = kafka.admin.highWatermarks(topic, { isolation: 'read_committed' });
  ends.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'latest'>((resolve) => {
    timer = setTimeout(() => resolve('latest'), boundMs);
  });
  try {
    return await Promise.race([ends, late]);
  } catch {
    return 'latest';
  } finally {
    clearTimeout(timer);
  }
}
