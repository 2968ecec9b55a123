// The mirror's own topics (source positions, offset syncs, checkpoints, heartbeats) are created by
// whichever worker needs them first; several workers race to create them, so "already exists" is
// success. A replication factor the cluster cannot place (fewer brokers than asked) is an error the
// caller reports: MM2 fails the same way rather than quietly keeping fewer copies.
import { AdminOperationError, ErrorCode, type Admin } from '../client/index.js';

export interface InternalTopicSpec {
  name: string;
  partitions: number;
  /** -1: the target broker's default.replication.factor. */
  replicationFactor: number;
  configs: Record<string, string>;
}

/** Creates the topic unless it exists; resolves once it exists (by us or by another worker). */
export async function ensureTopic(admin: Admin, spec: InternalTopicSpec): Promise<void> {
  try {
    await admin.createTopics([{ name: spec.name, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor, configs: spec.configs }]);
  } catch (err) {
    if (err instanceof AdminOperationError && err.failures.every((f) => f.error.code === ErrorCode.TOPIC_ALREADY_EXISTS)) return;
    throw err;
  }
}

/** Compacted, as MM2 keeps its offset-syncs, checkpoints and offsets topics: only the newest value per key matters. */
export const COMPACTED: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact' };
