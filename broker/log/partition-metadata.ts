// partition.metadata (KIP-516): the topic id a partition directory belongs to, so that a directory
// left by a deleted topic is never taken for the log of a new topic with the same name. Kafka's
// format: "version: 0" and "topic_id: <id>" lines. Written atomically.
import path from 'node:path';
import { CorruptCheckpointError, readKeyValueFile, writeFileAtomic } from './checkpoint-file.js';

export const PARTITION_METADATA_FILE = 'partition.metadata';
const VERSION = 0;

export function formatPartitionMetadata(topicId: string): string {
  return `version: ${VERSION}\ntopic_id: ${topicId}\n`;
}

function checkTopicId(topicId: string): void {
  if (!/^\S{1,128}$/.test(topicId)) throw new RangeError(`topic id ${JSON.stringify(topicId)} cannot be stored in ${PARTITION_METADATA_FILE}`);
}

/** The topic id in dir/partition.metadata; undefined when there is no such file (older data),
 * CorruptCheckpointError when it does not parse. */
export function readPartitionMetadata(dir: string): string | undefined {
  const file = path.join(dir, PARTITION_METADATA_FILE);
  const fields = readKeyValueFile(file);
  if (fields === undefined) return undefined;
  if (fields.get('version') !== String(VERSION)) throw new CorruptCheckpointError(file, `unsupported version ${JSON.stringify(fields.get('version') ?? '')}`);
  const topicId = fields.get('topic_id') ?? '';
  try {
    checkTopicId(topicId);
  } catch (err) {
    throw new CorruptCheckpointError(file, (err as Error).message);
  }
  return topicId;
}

/** Writes dir/partition.metadata (the dir must exist). */
export function writePartitionMetadata(dir: string, topicId: string): void {
  checkTopicId(topicId);
  writeFileAtomic(path.join(dir, PARTITION_METADATA_FILE), formatPartitionMetadata(topicId));
}
