import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataCache } from '../../../client/cluster/metadata-cache.js';
import { ErrorCode, type ErrorCodeValue } from '../../../client/errors.js';
import type { PartitionMetadata__Output } from '../../../client/wire/generated/strait/v1/PartitionMetadata.js';
import type { MetadataResponse__Output } from '../../../client/wire/generated/strait/v1/MetadataResponse.js';

function partition(p: number, leader: number, errorCode: ErrorCodeValue = ErrorCode.NONE): PartitionMetadata__Output {
  return { errorCode, partition: p, leaderId: leader, leaderEpoch: 3, replicaNodes: [1, 2], isrNodes: [1, 2], offlineReplicas: [] };
}

const response: MetadataResponse__Output = {
  brokers: [
    { nodeId: 1, host: '127.0.0.1', port: 9001, rack: '' },
    { nodeId: 2, host: '127.0.0.1', port: 9002, rack: 'r2' },
  ],
  clusterId: 'c1',
  controllerId: 1,
  topics: [
    { errorCode: ErrorCode.NONE, name: 't', topicId: 'id', isInternal: false, partitions: [partition(1, 2), partition(0, 1)] },
    { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'gone', topicId: '', isInternal: false, partitions: [] },
  ],
};

test('indexes partitions by number and resolves leaders to addresses', () => {
  const cache = new MetadataCache();
  cache.update(response, 1000);
  assert.equal(cache.partitionCount('t'), 2);
  assert.equal(cache.leaderFor('t', 0), 1);
  assert.equal(cache.leaderAddress('t', 1), '127.0.0.1:9002');
  assert.equal(cache.leaderAddress('t', 5), undefined);
  assert.equal(cache.topic('gone'), undefined);
  assert.equal(cache.topicError('gone'), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(cache.clusterId, 'c1');
  assert.equal(cache.broker(2)?.rack, 'r2');
});

test('a partition without a leader has no leader address', () => {
  const cache = new MetadataCache();
  cache.update({ ...response, topics: [{ ...response.topics[0]!, partitions: [partition(0, 1, ErrorCode.LEADER_NOT_AVAILABLE), partition(1, -1)] }] }, 1);
  assert.equal(cache.leaderFor('t', 0), undefined);
  assert.equal(cache.leaderFor('t', 1), undefined);
});

test('staleness follows metadata.max.age.ms and markStale', () => {
  const cache = new MetadataCache();
  assert.equal(cache.isStale(0, 1000), true);
  cache.update(response, 5000);
  assert.equal(cache.isStale(5999, 1000), false);
  assert.equal(cache.isStale(6000, 1000), true);
  cache.markStale();
  assert.equal(cache.isStale(5001, 1000), true);
});

test('a later answer replaces a topic; an error for it drops it', () => {
  const cache = new MetadataCache();
  cache.update(response, 1);
  cache.update({ brokers: [], clusterId: 'c1', controllerId: 1, topics: [{ ...response.topics[0]!, partitions: [partition(0, 2)] }] }, 2);
  assert.equal(cache.partitionCount('t'), 1);
  assert.equal(cache.leaderAddress('t', 0), '127.0.0.1:9002', 'brokers kept when a response lists none');
  cache.update({ brokers: [], clusterId: 'c1', controllerId: 1, topics: [{ ...response.topics[0]!, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] }, 3);
  assert.equal(cache.topic('t'), undefined);
});
