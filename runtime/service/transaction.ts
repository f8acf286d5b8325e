/**
 * Writes what a run of commands came to in ONE Kafka transaction (exactly-once
 * consume-transform-produce, design.md §8): first the events and snapshots, whose offsets the
 * replies' `specgate-progress` names and which are known only once the broker has appended them;
 * then the replies; then the consumed offset; then the commit. Any failure aborts the lot.
 */
import type { Message, RecordMetadata, Transaction } from 'kafkajs';
import { formatTopicProgress, progressAfter, progressHeader } from '../gateway/progress.ts';
import type { OutputRecord } from './context.ts';
import type { Outcome } from './handle.ts';

export interface CommittedRun {
  readonly consumerGroupId: string;
  readonly commandTopic: string;
  readonly partition: number;
  /** The offset of the last command of the run. */
  readonly lastOffset: string;
  readonly correlationHeader: string;
  readonly outcomes: readonly Outcome[];
}

/**
 * `beforeCommit` gets the offset of every record the outcomes wrote, in order, once all are
 * appended; the transaction commits when it returns.
 */
export async function writeRun(
  transaction: Transaction,
  run: CommittedRun,
  beforeCommit: (offsets: readonly string[]) => void,
): Promise<void> {
  try {
    const offsets = await sendRecords(
      transaction,
      run.outcomes.flatMap((outcome) => outcome.records),
    );
    const replies = new Map<string, Message[]>();
    let at = 0;
    for (const outcome of run.outcomes) {
      const written = outcome.records.map((record, index) => {
        const offset = offsets[at + index];
        if (offset === undefined) throw new Error('writeRun: a written record has no offset');
        return [record.topic, progressAfter(record.partition, offset)] as const;
      });
      at += outcome.records.length;
      const reply = outcome.reply;
      if (reply === undefined) continue;
      const headers: Record<string, string> = {
        ...reply.encoded.headers,
        [run.correlationHeader]: reply.correlationId,
      };
      if (written.length > 0) headers[progressHeader] = formatTopicProgress(written);
      const messages = replies.get(reply.topic) ?? [];
      messages.push({ key: reply.key, value: reply.encoded.value, headers });
      replies.set(reply.topic, messages);
    }
    if (replies.size > 0) {
      await transaction.sendBatch({
        acks: -1,
        topicMessages: [...replies].map(([topic, messages]) => ({ topic, messages })),
      });
    }
    await transaction.sendOffsets({
      consumerGroupId: run.consumerGroupId,
      topics: [
        {
          topic: run.commandTopic,
          partitions: [
            { partition: run.partition, offset: (BigInt(run.lastOffset) + 1n).toString() },
          ],
        },
      ],
    });
    beforeCommit(offsets);
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}

/**
 * Sends the records (each to the partition chosen for it) and answers each one's offset, in
 * order. Kafka appends one partition's records of a request as one batch, in request order, so
 * a record's offset is its partition's base offset plus its place among that partition's records.
 */
async function sendRecords(
  transaction: Transaction,
  records: readonly OutputRecord[],
): Promise<string[]> {
  if (records.length === 0) return [];
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push({
      partition: record.partition,
      key: record.key,
      value: record.value,
      headers: { ...record.headers },
    });
    byTopic.set(record.topic, messages);
  }
  const sent: RecordMetadata[] = await transaction.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
  const base = new Map<string, bigint>();
  for (const metadata of sent) {
    if (metadata.baseOffset === undefined) continue;
    base.set(`${metadata.topicName}\u0000${metadata.partition}`, BigInt(metadata.baseOffset));
  }
  const seen = new Map<string, bigint>();
  return records.map((record) => {
    const where = `${record.topic}\u0000${record.partition}`;
    const first = base.get(where);
    if (first === undefined) {
      throw new Error(`writeRun: no base offset for ${record.topic}/${record.partition}`);
    }
    const index = seen.get(where) ?? 0n;
    seen.set(where, index + 1n);
    return (first + index).toString();
  });
}
