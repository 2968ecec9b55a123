// The part of broker/log's LogManager the request handlers use. Kept as an interface so the
// handlers depend on the storage contract, not on its implementation.
import type { PartitionLog } from '../log/log-types.js';
import type { TopicConfig } from '../log/topic-config.js';

export interface LogStore {
  getLog(topic: string, partition: number): PartitionLog | undefined;
  createLog(topic: string, partition: number, config: TopicConfig): PartitionLog | Promise<PartitionLog>;
  deleteLogs(topic: string): unknown;
  allLogs(): Iterable<PartitionLog>;
  /** Partition directories that could not be opened (offline); never to be recreated over. */
  failedLogs(): { dir: string }[];
}
