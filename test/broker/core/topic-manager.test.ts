// TopicManager keeping a node's partition directories in step with the metadata image, with the
// topic id of each directory (partition.metadata): a directory is a topic's log only when its id is
// the topic's; while the broker catches up, one that does not match is left alone (the images it
// applies may be older than the directory); once caught up it is removed as a stray, and an older
// directory without an id takes the image's. Real LogManager on a temp dir, images from the
// controller's own decisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { LogManager } from '../../../broker/log/log-manager.js';
import { PARTITION_METADATA_FILE, readPartitionMetadata } from '../../../broker/log/partition-metadata.js';
import { defaultTopicConfig } from '../../../broker/log/topic-config.js';
import { alterPartitionReassignments, createTopics, deleteTopics } from '../../../broker/controller/index.js';
import { MetadataImage } from '../../../broker/metadata/index.js';
import { MetadataState } from '../../../broker/quorum/metadata-state.js';
import type { ControllerChannel } from '../../../broker/controller/controller-channel.js';
import { TopicManager } from '../../../broker/core/topic-manager.js';
import { TestController } from '../controller/fixtures.js';
import { batch, config, onCleanup, silentLogger, tempDir } from '../log/helpers.js';

/** The node under test is broker 1, the only replica of every topic here. */
function setUp(t: Parameters<typeof tempDir>[0], root: string, onReplicaRemoved?: (topic: string, partition: number) => void) {
  const logs = new LogManager({ logDirs: [root], logger: silentLogger });
  logs.loadLogs(() => config());
  onCleanup(t, () => logs.shutdown());
  const state = new MetadataState(silentLogger);
  // These tests never create topics through the controller.
  const channel = { run: () => Promise.reject(new Error('no controller in this test')) } as unknown as ControllerChannel;
  const topics = new TopicManager({
    nodeId: 1, logs, defaults: defaultTopicConfig(), state, channel, defaultReplicationFactor: 1, requestTimeoutMs: 1000, logger: silentLogger,
    ...(onReplicaRemoved ? { onReplicaRemoved } : {}),
  });
  let index = 0;
  /** Makes `image` the node's applied image and tells the TopicManager, as the broker's listener does. */
  const show = (image: MetadataImage): void => {
    const previous = state.image;
    state.loadSnapshot(++index, image.toSnapshot());
    topics.apply(state.image, previous);
  };
  return { logs, state, topics, show };
}

/** A controller with broker 1 and the images of: `name` created, deleted, created again. */
function history(name: string) {
  const c = new TestController();
  c.startBrokers(1);
  const create = (): string => {
    c.commit(createTopics(c.image, [{ name, assignments: [[1]] }], { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
    return c.image.topic(name)!.topicId;
  };
  const firstId = create();
  const first = c.image;
  c.commit(deleteTopics(c.image, [name]));
  const deleted = c.image;
  const secondId = create();
  return { first, firstId, deleted, second: c.image, secondId };
}

/** A partition directory with records and the given topic id (none: older data). */
function seed(root: string, topic: string, topicId: string | undefined, records: number): void {
  const m = new LogManager({ logDirs: [root], logger: silentLogger });
  m.loadLogs(() => config());
  m.createLog(topic, 0, config(), topicId ?? 'removed-below').appendAsLeader(batch(records), 0);
  m.shutdown();
  if (topicId === undefined) fs.rmSync(path.join(root, `${topic}-0`, PARTITION_METADATA_FILE));
}

test('replaying older images never uses or deletes the directory of a later incarnation of the name', (t) => {
  const root = tempDir(t);
  const h = history('orders');
  seed(root, 'orders', h.secondId, 3);
  const { topics, show } = setUp(t, root);
  show(h.first);
  assert.equal(topics.log('orders', 0), undefined, 'not the first incarnation\'s log');
  assert.throws(() => topics.leaderLog('orders', 0), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.NOT_LEADER_OR_FOLLOWER);
  show(h.deleted);
  assert.equal(readPartitionMetadata(path.join(root, 'orders-0')), h.secondId, 'deleting the first incarnation leaves it');
  show(h.second);
  assert.equal(topics.log('orders', 0)?.logEndOffset, 3);
});

test('once caught up, a directory of a deleted incarnation is a stray: removed, and the topic starts empty', (t) => {
  const root = tempDir(t);
  const h = history('orders');
  seed(root, 'orders', h.firstId, 3);
  const { topics, show } = setUp(t, root);
  show(h.second);
  assert.equal(topics.log('orders', 0), undefined);
  assert.equal(readPartitionMetadata(path.join(root, 'orders-0')), h.firstId, 'left alone before catching up');
  topics.catchUp(h.second);
  const log = topics.leaderLog('orders', 0).log;
  assert.equal(log.logEndOffset, 0);
  assert.equal(readPartitionMetadata(path.join(root, 'orders-0')), h.secondId);
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.startsWith('orders')), ['orders-0']);
});

test('once caught up, an older directory without an id takes the image\'s and keeps its records; topics gone are removed', (t) => {
  const root = tempDir(t);
  const h = history('legacy');
  seed(root, 'legacy', undefined, 2);
  seed(root, 'vanished', undefined, 1);
  const { topics, show } = setUp(t, root);
  show(h.second);
  assert.equal(topics.log('legacy', 0), undefined, 'not used before it is claimed');
  topics.catchUp(h.second);
  assert.equal(topics.log('legacy', 0)?.logEndOffset, 2);
  assert.equal(readPartitionMetadata(path.join(root, 'legacy-0')), h.secondId);
  assert.equal(fs.existsSync(path.join(root, 'vanished-0')), false);
});

test('a deleted topic\'s directory goes by its id; a replica whose log is offline is reported with the topic id', (t) => {
  const root = tempDir(t);
  const h = history('flaky');
  const { logs, topics, show } = setUp(t, root);
  show(h.first);
  assert.ok(topics.log('flaky', 0));
  show(h.deleted);
  assert.equal(fs.existsSync(path.join(root, 'flaky-0')), false);
  fs.writeFileSync(path.join(root, 'flaky-0'), 'in the way');
  show(h.second);
  assert.ok(logs.offlineLog('flaky', 0));
  assert.deepEqual(topics.offlineReplicas(), [{ topicId: h.secondId, partition: 0 }]);
  assert.throws(() => topics.leaderLog('flaky', 0), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.KAFKA_STORAGE_ERROR);
});

test('a replica a reassignment moved away is let go by replication, then its directory deleted; only once caught up', (t) => {
  const root = tempDir(t);
  const c = new TestController();
  c.startBrokers(2);
  c.commit(createTopics(c.image, [{ name: 'moving', assignments: [[1], [1]] }], { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  const created = c.image;
  const reassign = (replicas: number[]) => c.commit(alterPartitionReassignments(c.image, [{ topic: 'moving', partition: 0, replicas }], { uncleanDefault: false }));
  reassign([1, 2]);
  const growing = c.image;
  // Broker 2 caught up and joined the ISR (as its leader would report); then the move off broker 1.
  c.commitRecords([{ type: 'PartitionChange', version: 1, topicId: c.image.topic('moving')!.topicId, partition: 0, isr: [1, 2], addingReplicas: [], removingReplicas: [] }]);
  reassign([2]);
  const moved = c.image;
  assert.deepEqual(moved.partition('moving', 0)!.replicas, [2]);

  const removed: string[] = [];
  const { topics, show } = setUp(t, root, (topic, partition) => {
    removed.push(`${topic}-${partition}`);
    assert.ok(fs.existsSync(path.join(root, `${topic}-${partition}`)), 'replication is told before the directory goes');
  });
  show(created);
  topics.catchUp(created);
  assert.ok(topics.leaderLog('moving', 0).log);
  show(growing);
  assert.ok(fs.existsSync(path.join(root, 'moving-0')), 'still a replica while the move runs');
  show(moved);
  assert.deepEqual(removed, ['moving-0']);
  assert.equal(fs.existsSync(path.join(root, 'moving-0')), false);
  assert.equal(topics.log('moving', 0), undefined);
  assert.ok(topics.log('moving', 1), 'the partition that stays is untouched');
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.startsWith('moving')), ['moving-1']);

  // A node that was down while the move happened: its directory stays until it has caught up.
  const again = tempDir(t);
  seed(again, 'moving', moved.topic('moving')!.topicId, 3);
  const late = setUp(t, again);
  late.show(moved);
  assert.ok(fs.existsSync(path.join(again, 'moving-0')), 'left alone while the image may be old');
  late.topics.catchUp(moved);
  assert.equal(fs.existsSync(path.join(again, 'moving-0')), false);
});
