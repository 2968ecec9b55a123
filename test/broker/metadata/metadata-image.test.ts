import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MetadataApplyError, MetadataImage, MetadataSnapshotError, metadataRecord, type MetadataRecord,
} from '../../../broker/metadata/index.js';
import {
  allocateProducerIds, alterPartition, alterPartitionReassignments, balanceLeaders, brokerHeartbeat, createPartitions, createTopics,
  deleteTopics, fenceExpiredBrokers, incrementalAlterConfigs, registerBroker,
} from '../../../broker/controller/index.js';
import { CLUSTER_ID, TestController, allPartitions } from '../controller/fixtures.js';

function sampleImage(): MetadataImage {
  const c = new TestController(2);
  c.startBrokers(3, ['a', 'b', 'c']);
  c.commit(createTopics(c.image, [{ name: 't', numPartitions: 4, replicationFactor: 2, configs: { 'retention.ms': '10' } }],
    { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  return c.image;
}

test('queries over an image', () => {
  const image = sampleImage();
  assert.deepEqual(image.brokers().map((b) => b.brokerId), [1, 2, 3]);
  assert.deepEqual(image.liveBrokers().map((b) => b.brokerId), [1, 2, 3]);
  assert.equal(image.topics().length, 1);
  const topic = image.topic('t')!;
  assert.equal(image.topicById(topic.topicId), topic);
  assert.equal(image.partitionsOf('t')!.length, 4);
  assert.equal(image.partitionsOf('nope'), undefined);
  assert.equal(image.leaderOf('t', 0), topic.partitions[0]!.leader);
  assert.equal(image.leaderOf('t', 9), undefined);
  assert.deepEqual(image.topicConfigOverrides('t'), { 'retention.ms': '10' });
  assert.equal(image.clusterId, CLUSTER_ID);
  assert.ok(Object.isFrozen(topic) && Object.isFrozen(topic.partitions) && Object.isFrozen(topic.partitions[0]!.isr));
});

test('a record that contradicts the image throws MetadataApplyError and changes nothing', () => {
  const image = sampleImage();
  const before = image.toSnapshot();
  const topicId = image.topic('t')!.topicId;
  const next = image.highestOffset + 1;
  const b1 = image.broker(1)!;
  const bad: MetadataRecord[] = [
    metadataRecord('Partition', { topicId: 'unknown', partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    metadataRecord('Partition', { topicId, partition: 9, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    metadataRecord('Partition', { topicId, partition: 2, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    metadataRecord('Partition', { topicId, partition: 4, replicas: [1], isr: [2], leader: 2, leaderEpoch: 0, partitionEpoch: 0 }),
    metadataRecord('PartitionChange', { topicId, partition: 7, leader: 1 }),
    metadataRecord('PartitionChange', { topicId, partition: 0, leader: 99 }),
    metadataRecord('PartitionChange', { topicId, partition: 0, replicas: [99] }),
    metadataRecord('PartitionChange', { topicId, partition: 0, addingReplicas: [99] }),
    metadataRecord('PartitionChange', { topicId, partition: 0, addingReplicas: [1], removingReplicas: [1] }),
    metadataRecord('PartitionChange', { topicId, partition: 0, removingReplicas: [...image.partition('t', 0)!.replicas] }),
    metadataRecord('Topic', { name: 't', topicId: 'fresh' }),
    metadataRecord('Topic', { name: 'u', topicId }),
    metadataRecord('RemoveTopic', { topicId: 'unknown' }),
    metadataRecord('Config', { resourceType: 'topic', resourceName: 'unknown', name: 'retention.ms', value: '1' }),
    metadataRecord('FenceBroker', { brokerId: 1, epoch: b1.brokerEpoch + 1 }),
    metadataRecord('UnfenceBroker', { brokerId: 9, epoch: 0 }),
    metadataRecord('UnregisterBroker', { brokerId: 1, brokerEpoch: 0 }),
    metadataRecord('RegisterBroker', { brokerId: 1, incarnationId: 'x', brokerEpoch: b1.brokerEpoch, host: 'h', port: 1, fenced: true }),
    metadataRecord('ProducerIds', { brokerId: 1, brokerEpoch: b1.brokerEpoch, nextProducerId: image.nextProducerId }),
    metadataRecord('ClusterId', { clusterId: 'another' }),
  ];
  for (const record of bad) {
    assert.throws(() => image.apply(record, next), (err: unknown) => err instanceof MetadataApplyError && err.offset === next, JSON.stringify(record));
    assert.deepEqual(image.toSnapshot(), before);
  }
  const fine = metadataRecord('Config', { resourceType: 'topic', resourceName: 't', name: 'segment.ms', value: '1' });
  assert.throws(() => image.apply(fine, image.highestOffset), MetadataApplyError);
  // A batch is all or nothing.
  assert.throws(() => image.applyAll([{ record: fine, offset: next }, { record: bad[0]!, offset: next + 1 }]), MetadataApplyError);
  assert.deepEqual(image.toSnapshot(), before);
  const applied = image.applyAll([{ record: fine, offset: next + 5 }]);
  assert.equal(applied.highestOffset, next + 5);
  assert.equal(applied.topicConfigOverrides('t')['segment.ms'], '1');
  assert.equal(image.topicConfigOverrides('t')['segment.ms'], undefined);
});

test('partition changes bump the partition epoch always and the leader epoch when the leader changes', () => {
  const image = sampleImage();
  const topicId = image.topic('t')!.topicId;
  const p = image.partition('t', 0)!;
  const follower = p.replicas[1]!;
  let next = image.apply(metadataRecord('PartitionChange', { topicId, partition: 0, isr: [p.leader] }), image.highestOffset + 1);
  assert.deepEqual(next.partition('t', 0)!.isr, [p.leader]);
  assert.equal(next.partition('t', 0)!.leaderEpoch, p.leaderEpoch);
  assert.equal(next.partition('t', 0)!.partitionEpoch, p.partitionEpoch + 1);
  next = next.apply(metadataRecord('PartitionChange', { topicId, partition: 0, isr: [follower], leader: follower }), next.highestOffset + 1);
  assert.equal(next.leaderOf('t', 0), follower);
  assert.equal(next.partition('t', 0)!.leaderEpoch, p.leaderEpoch + 1);
  assert.equal(next.partition('t', 0)!.partitionEpoch, p.partitionEpoch + 2);
  // The old image still shows the old partition.
  assert.deepEqual(image.partition('t', 0), p);
});

type Op =
  | { kind: 'register'; broker: number; restart: boolean }
  | { kind: 'heartbeat'; broker: number; fence: boolean; shutdown: boolean; lag: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'create'; name: number; partitions: number; rf: number }
  | { kind: 'grow'; name: number; by: number }
  | { kind: 'delete'; name: number }
  | { kind: 'config'; name: number; value: number | null }
  | { kind: 'pids'; broker: number }
  | { kind: 'offline'; broker: number; replicas: { name: number; partition: number }[] }
  /** replicas null: cancel. */
  | { kind: 'reassign'; name: number; partition: number; replicas: number[] | null }
  /** The leader proposes every live replica of the partition for its ISR (they all caught up). */
  | { kind: 'catch-up'; name: number; partition: number }
  | { kind: 'balance' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), broker: fc.integer({ min: 1, max: 5 }), restart: fc.boolean() }),
  fc.record({ kind: fc.constant('heartbeat' as const), broker: fc.integer({ min: 1, max: 5 }), fence: fc.boolean(), shutdown: fc.boolean(), lag: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('heartbeat' as const), broker: fc.integer({ min: 1, max: 5 }), fence: fc.constant(false), shutdown: fc.constant(false), lag: fc.constant(0) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3_000 }) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 9_000, max: 12_000 }) }),
  fc.record({ kind: fc.constant('create' as const), name: fc.integer({ min: 0, max: 4 }), partitions: fc.integer({ min: 1, max: 6 }), rf: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('create' as const), name: fc.integer({ min: 0, max: 4 }), partitions: fc.integer({ min: 1, max: 6 }), rf: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('grow' as const), name: fc.integer({ min: 0, max: 4 }), by: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const), name: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('config' as const), name: fc.integer({ min: 0, max: 4 }), value: fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: null }) }),
  fc.record({ kind: fc.constant('pids' as const), broker: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constant('offline' as const), broker: fc.integer({ min: 1, max: 5 }),
    replicas: fc.array(fc.record({ name: fc.integer({ min: 0, max: 4 }), partition: fc.integer({ min: 0, max: 8 }) }), { maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('reassign' as const), name: fc.integer({ min: 0, max: 4 }), partition: fc.integer({ min: 0, max: 5 }),
    replicas: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), { nil: null, freq: 4 }),
  }),
  fc.record({ kind: fc.constant('catch-up' as const), name: fc.integer({ min: 0, max: 4 }), partition: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('balance' as const) }),
);

/** Drives the controller logic with one op; errors the controller answers with are part of the game. */
function run(c: TestController, op: Op): void {
  const topic = (n: number) => `topic-${n}`;
  const tolerate = (work: () => void) => {
    try {
      work();
    } catch (err) {
      if (!(err instanceof Error) || !('code' in err)) throw err;
    }
  };
  switch (op.kind) {
    case 'register':
      c.commit(registerBroker(c.image, { brokerId: op.broker, incarnationId: `i${op.broker}${op.restart ? `-${c.now}` : ''}`, host: 'h', port: 9000 + op.broker, clusterId: CLUSTER_ID }, c.now, c.sessions));
      break;
    case 'heartbeat': {
      const b = c.image.broker(op.broker);
      if (!b) break;
      c.commit(brokerHeartbeat(c.image, {
        brokerId: op.broker, brokerEpoch: b.brokerEpoch, wantFence: op.fence, wantShutdown: op.shutdown,
        currentMetadataOffset: c.image.highestOffset - op.lag,
      }, c.now, c.sessions));
      break;
    }
    case 'tick':
      c.now += op.ms;
      c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now));
      break;
    case 'create':
      c.commit(createTopics(c.image, [{ name: topic(op.name), numPartitions: op.partitions, replicationFactor: op.rf }],
        { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
      break;
    case 'grow': {
      const count = (c.image.partitionsOf(topic(op.name))?.length ?? 0) + op.by;
      c.commit(createPartitions(c.image, [{ name: topic(op.name), count }], { random: c.random }));
      break;
    }
    case 'delete':
      c.commit(deleteTopics(c.image, [topic(op.name)]));
      break;
    case 'config':
      c.commit(incrementalAlterConfigs(c.image, [{ resourceType: 'topic', resourceName: topic(op.name),
        ops: [op.value === null ? { name: 'retention.ms', op: 'delete' } : { name: 'retention.ms', op: 'set', value: String(op.value) }] }],
      { validateBrokerConfigs: () => undefined }));
      break;
    case 'pids': {
      const b = c.image.broker(op.broker);
      tolerate(() => c.commit(allocateProducerIds(c.image, op.broker, b?.brokerEpoch ?? 0)));
      break;
    }
    case 'offline': {
      const b = c.image.broker(op.broker);
      if (!b) break;
      // Reports may name partitions the broker does not host, or topics that are gone: ignored.
      const offlineReplicas = op.replicas.map((r) => ({ topicId: c.image.topic(topic(r.name))?.topicId ?? 'gone', partition: r.partition }));
      c.commit(brokerHeartbeat(c.image, {
        brokerId: op.broker, brokerEpoch: b.brokerEpoch, wantFence: false, wantShutdown: false, currentMetadataOffset: c.image.highestOffset, offlineReplicas,
      }, c.now, c.sessions));
      break;
    }
    case 'reassign':
      c.commit(alterPartitionReassignments(c.image, [{ topic: topic(op.name), partition: op.partition, replicas: op.replicas }], { uncleanDefault: false }));
      break;
    case 'catch-up': {
      const p = c.image.partition(topic(op.name), op.partition);
      if (!p || p.leader < 0) break;
      const live = (id: number) => c.image.broker(id)?.fenced === false && !c.image.broker(id)!.inControlledShutdown && !p.offlineReplicas.includes(id);
      const newIsr = p.replicas.filter((id) => p.isr.includes(id) || live(id));
      tolerate(() => c.commit(alterPartition(c.image, {
        brokerId: p.leader, brokerEpoch: c.image.broker(p.leader)!.brokerEpoch, topicId: p.topicId, partition: op.partition,
        leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr,
      })));
      break;
    }
    case 'balance':
      c.commit(balanceLeaders(c.image, 10));
      break;
  }
}

function checkInvariants(image: MetadataImage): void {
  for (const [topic, p] of allPartitions(image)) {
    assert.ok(p.isr.length > 0 && p.isr.every((id) => p.replicas.includes(id)), `${topic}-${p.partition}`);
    if (p.leader !== -1) {
      assert.ok(p.isr.includes(p.leader));
      const leader = image.broker(p.leader);
      assert.ok(leader && !leader.fenced, `${topic}-${p.partition} is led by fenced broker ${p.leader}`);
    }
    assert.ok(!p.offlineReplicas.includes(p.leader), `${topic}-${p.partition} is led by its offline replica ${p.leader}`);
    assert.ok(p.offlineReplicas.every((id) => p.replicas.includes(id)));
    // A running reassignment: adding and removing are distinct replicas, and the target keeps one.
    assert.ok([...p.addingReplicas, ...p.removingReplicas].every((id) => p.replicas.includes(id)), `${topic}-${p.partition} reassignment outside its replicas`);
    assert.ok(!p.addingReplicas.some((id) => p.removingReplicas.includes(id)));
    assert.ok(p.removingReplicas.length < p.replicas.length, `${topic}-${p.partition} removes every replica`);
    // Done as soon as every adding replica is in the ISR and the leader can stay or move within the target.
    const stuck = p.addingReplicas.length > 0 && p.addingReplicas.every((id) => p.isr.includes(id))
      && p.isr.some((id) => !p.removingReplicas.includes(id)) && !p.removingReplicas.includes(p.leader);
    assert.ok(!stuck, `${topic}-${p.partition}: a reassignment with every adding replica in the ISR did not complete`);
  }
}

test('random controller histories: the image keeps its invariants and survives a snapshot exactly', () => {
  fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 5 }), fc.array(opArb, { minLength: 1, maxLength: 60 }), (seed, started, ops) => {
    const c = new TestController(seed);
    c.startBrokers(started);
    for (const op of ops) {
      run(c, op);
      checkInvariants(c.image);
    }
    const snapshot = c.image.toSnapshot();
    const restored = MetadataImage.fromSnapshot(snapshot);
    assert.deepEqual(restored.toSnapshot(), snapshot);
    assert.deepEqual(restored.brokers(), c.image.brokers());
    assert.deepEqual(restored.topics(), c.image.topics());
    assert.equal(restored.highestOffset, c.image.highestOffset);
    assert.equal(restored.nextProducerId, c.image.nextProducerId);
    assert.equal(restored.lastBrokerEpoch, c.image.lastBrokerEpoch);
    // A restored image goes on exactly like the original.
    const record = metadataRecord('ProducerIds', { brokerId: 1, brokerEpoch: 0, nextProducerId: c.image.nextProducerId + 1000 });
    assert.deepEqual(restored.apply(record, c.image.highestOffset + 1).toSnapshot(), c.image.apply(record, c.image.highestOffset + 1).toSnapshot());
  }), { numRuns: 400 });
});

test('a snapshot that is not one throws MetadataSnapshotError', () => {
  const snapshot = sampleImage().toSnapshot();
  const doc = JSON.parse(snapshot.toString()) as Record<string, unknown>;
  const topics = doc.topics as Array<Record<string, unknown>>;
  const partitions = topics[0]!.partitions as Array<Record<string, unknown>>;
  const brokers = doc.brokers as Array<Record<string, unknown>>;
  const variants: unknown[] = [
    { ...doc, version: 2 }, { ...doc, format: 'x' }, { ...doc, extra: 1 }, { ...doc, brokers: 'x' },
    { ...doc, highestOffset: -5 },
    { ...doc, brokers: [...brokers, brokers[0]] },
    { ...doc, brokers: [{ ...brokers[0], brokerEpoch: (doc.lastBrokerEpoch as number) + 1 }] },
    { ...doc, brokers: [{ ...brokers[0], inControlledShutdown: true }] },
    { ...doc, topics: [...topics, topics[0]] },
    { ...doc, topics: [{ ...topics[0], name: 'bad name' }] },
    { ...doc, topics: [{ ...topics[0], partitions: [{ ...partitions[0], leader: 99 }] }] },
    { ...doc, topics: [{ ...topics[0], partitions: [{ ...partitions[0], isr: [] }] }] },
    { ...doc, topics: [{ ...topics[0], partitions: [{ ...partitions[0], addingReplicas: [99] }] }] },
    { ...doc, topics: [{ ...topics[0], partitions: [{ ...partitions[0], removingReplicas: [] }] }] },
    { ...doc, topics: [{ ...topics[0], configs: { a: 1 } }] },
    { ...doc, brokerConfigs: [{ resourceName: '', configs: [] }] },
  ];
  for (const v of variants) {
    assert.throws(() => MetadataImage.fromSnapshot(Buffer.from(JSON.stringify(v))), MetadataSnapshotError, JSON.stringify(v).slice(0, 200));
  }
  assert.throws(() => MetadataImage.fromSnapshot(Buffer.from('{')), MetadataSnapshotError);
  assert.throws(() => MetadataImage.fromSnapshot(Buffer.from([0xc3, 0x28])), MetadataSnapshotError);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (noise, at, byte) => {
    for (const bytes of [noise, Buffer.concat([snapshot.subarray(0, at % snapshot.length), Buffer.from([byte]), snapshot.subarray((at % snapshot.length) + 1)])]) {
      try {
        MetadataImage.fromSnapshot(bytes);
      } catch (err) {
        assert.ok(err instanceof MetadataSnapshotError, String(err));
      }
    }
  }), { numRuns: 1000 });
});

test('the empty image', () => {
  const image = MetadataImage.EMPTY;
  assert.equal(image.highestOffset, -1);
  assert.deepEqual(image.topics(), []);
  assert.deepEqual(image.brokers(), []);
  assert.equal(image.clusterId, undefined);
  assert.deepEqual(MetadataImage.fromSnapshot(image.toSnapshot()).toSnapshot(), image.toSnapshot());
});
