// strait log-dirs --describe's JSON: kafka-log-dirs.sh's layout (version, brokers, logDirs with their
// error as a Kafka error name or null, partitions as topic-partition), plus each replica's log end offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/index.js';
import { formatLogDirs } from '../../../cli/commands/log-dirs.js';

test('log dirs as Kafka\'s JSON, partitions in topic-partition order', () => {
  const text = formatLogDirs([
    { brokerId: 1, logDirs: [{ logDir: '/a', error: undefined, totalBytes: 10, usableBytes: 5, replicas: [
      { topic: 't', partition: 10, size: 7, offsetLag: 0, logEndOffset: 3, isFuture: false },
      { topic: 't', partition: 2, size: 9, offsetLag: 12, logEndOffset: 4, isFuture: false },
    ] }] },
    { brokerId: 2, logDirs: [{ logDir: '/b', error: new StraitError(ErrorCode.KAFKA_STORAGE_ERROR), totalBytes: -1, usableBytes: -1, replicas: [] }] },
  ]);
  assert.deepEqual(JSON.parse(text), {
    version: 1,
    brokers: [
      { broker: 1, logDirs: [{ logDir: '/a', error: null, partitions: [
        { partition: 't-2', size: 9, offsetLag: 12, isFuture: false, logEndOffset: 4 },
        { partition: 't-10', size: 7, offsetLag: 0, isFuture: false, logEndOffset: 3 },
      ] }] },
      { broker: 2, logDirs: [{ logDir: '/b', error: 'KAFKA_STORAGE_ERROR', partitions: [] }] },
    ],
  });
});
