// ListOffsets for a set of partitions: each request goes to the partition's leader, with retries
// that refresh metadata. Used by the consumer's offset reset and by Admin.listOffsets.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { IsolationLevel } from '../wire/generated/strait/v1/IsolationLevel.js';
import type { ListOffsetsResponse__Output } from '../wire/generated/strait/v1/ListOffsetsResponse.js';
import type { Cluster } from './cluster.js';
import { unaryCall } from './connection-pool.js';

/** Kafka's special timestamps for ListOffsets. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

export interface OffsetQuery {
  topic: string;
  partition: number;
  /** LATEST_TIMESTAMP, EARLIEST_TIMESTAMP, MAX_TIMESTAMP, or a time in ms. */
  timestamp: number;
}

export interface OffsetAnswer {
  topic: string;
  partition: number;
  /** For a time: the first record whose timestamp is >= it; for MAX_TIMESTAMP: the first record holding
   * the largest timestamp. -1 when no record matches. */
  offset: number;
  /** That record's own timestamp; -1 for LATEST_TIMESTAMP and EARLIEST_TIMESTAMP. */
  timestamp: number;
  leaderEpoch: number;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Answers every query (in order) or throws the first non-retriable (or exhausted) error. A request
 * names each partition once, so several queries for one partition go out in successive rounds.
 */
export async function listOffsets(cluster: Cluster, queries: readonly OffsetQuery[], isolationLevel: IsolationLevel = 0): Promise<OffsetAnswer[]> {
  const rounds: { index: number; query: OffsetQuery }[][] = [];
  const seen = new Map<string, number>();
  queries.forEach((query, index) => {
    const k = key(query.topic, query.partition);
    const round = seen.get(k) ?? 0;
    seen.set(k, round + 1);
    (rounds[round] ??= []).push({ index, query });
  });
  const answers: OffsetAnswer[] = new Array(queries.length);
  for (const round of rounds) {
    const got = await listOffsetsOnce(cluster, round.map((r) => r.query), isolationLevel);
    round.forEach((r, i) => (answers[r.index] = got[i]!));
  }
  return answers;
}

async function listOffsetsOnce(cluster: Cluster, queries: readonly OffsetQuery[], isolationLevel: IsolationLevel): Promise<OffsetAnswer[]> {
  const answers = new Map<string, OffsetAnswer>();
  const topics = [...new Set(queries.map((q) => q.topic))];
  await cluster.retry(async () => {
    const open = queries.filter((q) => !answers.has(key(q.topic, q.partition)));
    const byLeader = new Map<string, OffsetQuery[]>();
    for (const q of open) {
      const address = await cluster.leaderAddress(q.topic, q.partition);
      let list = byLeader.get(address);
      if (!list) byLeader.set(address, (list = []));
      list.push(q);
    }
    let firstError: StraitError | undefined;
    await Promise.all(
      [...byLeader].map(async ([address, list]) => {
        const byTopic = new Map<string, { partition: number; timestamp: number }[]>();
        for (const q of list) {
          let parts = byTopic.get(q.topic);
          if (!parts) byTopic.set(q.topic, (parts = []));
          parts.push({ partition: q.partition, timestamp: q.timestamp });
        }
        const client = cluster.pool.broker(address);
        const request = { replicaId: -1, isolationLevel, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
        try {
          const res = await unaryCall<ListOffsetsResponse__Output>((o, cb) => client.ListOffsets(request, o, cb), cluster.config.requestTimeoutMs, address);
          for (const t of res.topics) {
            for (const p of t.partitions) {
              const err = errorFromCode(p.errorCode, `${t.name}-${p.partition}: ${errorFromCode(p.errorCode)?.message ?? ''}`);
              if (err) {
                firstError ??= err;
                continue;
              }
              answers.set(key(t.name, p.partition), { topic: t.name, partition: p.partition, offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch });
            }
          }
        } catch (err) {
          firstError ??= err as StraitError;
        }
      }),
    );
    if (firstError) throw firstError;
    const missing = queries.find((q) => !answers.has(key(q.topic, q.partition)));
    if (missing) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no offset answer for ${missing.topic}-${missing.partition}`);
  }, topics);
  return queries.map((q) => answers.get(key(q.topic, q.partition))!);
}
