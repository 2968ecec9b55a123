// strait topics --describe's text: Kafka's layout, and its partition filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicDescription } from '../../../client/index.js';
import { describeTopic, partitionFilter, partitionLines, reassignmentsOf } from '../../../cli/commands/topics.js';

const partition = (n: number, leaderId: number, isr: number[], offline: number[] = []) =>
  ({ partition: n, leaderId, leaderEpoch: 3, replicas: [1, 2, 3], isr, offlineReplicas: offline, errorCode: 0 });

const topic: TopicDescription = {
  name: 'orders', topicId: 'id-1', isInternal: false,
  partitions: [partition(2, -1, [3], [3]), partition(0, 1, [1, 2, 3]), partition(1, 2, [2, 1])],
};

test('--describe prints the topic line and every partition with its ISR, in partition order', () => {
  assert.equal(describeTopic(topic, ['min.insync.replicas=2']), [
    'Topic: orders\tTopicId: id-1\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2',
    '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3',
    '\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 1,2,3\tIsr: 2,1',
    '\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: 1,2,3\tIsr: 3\tOffline: 3',
    '',
  ].join('\n'));
});

test('--under-replicated-partitions and --unavailable-partitions keep only the matching partitions', () => {
  assert.equal(partitionFilter(false, false), undefined);
  const partitions = (under: boolean, unavailable: boolean) => partitionLines(topic, partitionFilter(under, unavailable)).map((l) => l.split('\t')[2]);
  assert.deepEqual(partitions(true, false), ['Partition: 1', 'Partition: 2']);
  assert.deepEqual(partitions(false, true), ['Partition: 2']);
  assert.deepEqual(partitions(true, true), ['Partition: 1', 'Partition: 2']);
});

test('while a reassignment runs: Adding/Removing Replicas, and the replication factor and under-replication without the replicas being added', () => {
  const moving: TopicDescription = {
    name: 'orders', topicId: 'id-1', isInternal: false,
    partitions: [{ partition: 0, leaderId: 1, leaderEpoch: 3, replicas: [1, 4, 2, 3], isr: [1, 2, 3], offlineReplicas: [], errorCode: 0 }],
  };
  const reassignments = reassignmentsOf([{ topic: 'orders', partition: 0, replicas: [1, 4, 2, 3], addingReplicas: [4], removingReplicas: [3] }]);
  assert.equal(describeTopic(moving, [], reassignments), [
    'Topic: orders\tTopicId: id-1\tPartitionCount: 1\tReplicationFactor: 3\tConfigs: ',
    '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,4,2,3\tIsr: 1,2,3\tAdding Replicas: 4\tRemoving Replicas: 3',
    '',
  ].join('\n'));
  assert.deepEqual(partitionLines(moving, partitionFilter(true, false), reassignments), []);
  // Without the reassignment (it finished between the two answers), all four replicas count.
  assert.equal(partitionLines(moving, partitionFilter(true, false)).length, 1);
});
