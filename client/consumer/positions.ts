// Where a partition without a position starts: the group's committed offset when the consumer has a
// group.id, else (or when nothing was committed) auto.offset.reset through ListOffsets. A seek made
// while the answers were on their way wins over them.
import { ErrorCode, StraitError } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../cluster/list-offsets.js';
import type { CommittedOffset, TopicPartitionRef } from '../groups/offsets.js';
import type { ConsumerConfig } from './consumer-config.js';
import type { PartitionState } from './partition-state.js';

/** The group's committed offsets, or undefined when they cannot be asked for now (a member whose
 * epoch is changing): the positions are then resolved on a later poll, never reset instead. */
export type CommittedLookup = (partitions: readonly TopicPartitionRef[]) => Promise<CommittedOffset[] | undefined>;

export async function resolvePositions(
  states: Iterable<PartitionState>,
  cluster: Cluster,
  config: ConsumerConfig,
  committed: CommittedLookup | undefined,
): Promise<void> {
  let missing = [...states].filter((s) => s.position === undefined && !s.detached);
  if (missing.length === 0) return;
  const unchanged = (s: PartitionState, generation: number): boolean => s.generation === generation && s.position === undefined && !s.detached;
  const fromCommitted = committed ? missing.filter((s) => !s.resetByPolicy) : [];
  if (committed && fromCommitted.length > 0) {
    const generations = fromCommitted.map((s) => s.generation);
    const answers = await committed(fromCommitted.map((s) => ({ topic: s.topic, partition: s.partition })));
    if (answers === undefined) return;
    fromCommitted.forEach((s, i) => {
      const c = answers[i]!;
      if (c.offset >= 0 && unchanged(s, generations[i]!)) s.seek(c.offset, c.leaderEpoch);
    });
    missing = missing.filter((s) => s.position === undefined && !s.detached);
    if (missing.length === 0) return;
  }
  if (config.autoOffsetReset === 'none') {
    const s = missing[0]!;
    throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE, `${s.topic}-${s.partition} has no position and auto.offset.reset is none`);
  }
  const timestamp = config.autoOffsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
  const generations = missing.map((s) => s.generation);
  const answers = await listOffsets(cluster, missing.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })), config.isolationLevel);
  missing.forEach((s, i) => {
    if (unchanged(s, generations[i]!)) s.seek(answers[i]!.offset);
  });
}
