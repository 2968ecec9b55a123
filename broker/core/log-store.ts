// The part of broker/log's LogManager the request handlers use. Kept as an interface so the
// handlers depend on the storage contract, not on its implementation.
import type { PartitionLog, OfflineLog, TopicConfig } from '../log/index.js';

export interface LogStore {
  getLog(topic: string, partition: number): PartitionLog | undefined;
  /** The topic id the partition's directory belongs to; undefined for older data without one. */
  topicIdOf(topic: string, partition: number): string | undefined;
  /** Throws KAFKA_STORAGE_ERROR when the partition is offline or its creation fails (it is then offline). */
  createLog(topic: string, partition: number, config: TopicConfig, topicId: string): PartitionLog;
  /** Records the topic id in an older partition directory without one. */
  assignTopicId(topic: string, partition: number, topicId: string): void;
  /** With a topic id, only the directories recorded with it; returns how many were removed. */
  deleteLogs(topic: string, topicId?: string): number;
  /** Removes one partition's directory of that topic id (a replica this node no longer holds); false when there is none. */
  deleteLog(topic: string, partition: number, topicId: string): boolean;
  /** Removes a directory of another incarnation of the topic (never to be used as its log). */
  removeStray(topic: string, partition: number, imageTopicId: string): void;
  allLogs(): Iterable<PartitionLog>;
  /** Set when the partition's log is offline on this node (failed to open or to write; until restart). */
  offlineLog(topic: string, partition: number): OfflineLog | undefined;
  offlineLogs(): OfflineLog[];
}
