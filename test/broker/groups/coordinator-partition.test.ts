// The coordinator's shell for one __consumer_offsets partition, in process, over real parts: a Log in
// a temp dir led by a PartitionLeader of one replica (its own ISR, so the high watermark follows each
// append). Loading (COORDINATOR_LOAD_IN_PROGRESS until done; the same offsets and group state after a
// reload; a record of an unknown type skipped; a value of a newer version failing the load rather
// than being misread), a refused append undoing the change, expiry writing tombstones that a reload
// honours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { encodeRecordBatch } from '../../../client/records/record-batch.js';
import type { GroupRequest__Output } from '../../../client/wire/generated/strait/v1/GroupRequest.js';
import type { GroupResponse } from '../../../client/wire/generated/strait/v1/GroupResponse.js';
import { brokerConfigFromMap } from '../../../broker/config/broker-config.js';
import { CoordinatorPartition, type PartitionContext } from '../../../broker/groups/coordinator-partition.js';
import { encodeGroupKey, encodeGroupValue, GROUP_VALUE_VERSION } from '../../../broker/groups/group-records.js';
import { MemberStream } from '../../../broker/groups/member-stream.js';
import { commitOffsets, fetchOffsets } from '../../../broker/groups/offset-requests.js';
import { Log } from '../../../broker/log/log.js';
import { PartitionLeader } from '../../../broker/replication/partition-leader.js';
import { Purgatory } from '../../../broker/replication/purgatory.js';
import { config, onCleanup, silentLogger, tempDir } from '../log/helpers.js';

const TOPIC = '__consumer_offsets';

interface Fixture {
  log: Log;
  /** A new leadership of the log at the next epoch and a partition loaded on it. */
  lead(): Promise<CoordinatorPartition>;
  clock: { now: number };
  rebalances: string[];
  gone: string[];
}

function fixture(t: { after(fn: () => void): void }, minInsyncReplicas = 1): Fixture {
  // Cleanups run last registered first: the partition, then the log, then its dir.
  const dir = tempDir(t);
  const log = Log.open({ dir: path.join(dir, `${TOPIC}-0`), topic: TOPIC, partition: 0, config: config({ cleanupPolicy: 'compact', minInsyncReplicas }), logger: silentLogger });
  onCleanup(t, () => log.close());
  const clock = { now: 1_000_000 };
  const rebalances: string[] = [];
  const gone: string[] = [];
  const { config: broker } = brokerConfigFromMap({ 'offsets.retention.minutes': '1' });
  let ids = 0;
  const ctx: PartitionContext = {
    nodeId: 1, config: broker.groups,
    rules: { ...broker.groups, minSessionTimeoutMs: 100, defaultRebalanceTimeoutMs: 300_000 },
    now: () => clock.now,
    topics: () => ({ topic: (name) => (name === 'orders' ? { topicId: 'id-orders', partitions: 4 } : undefined), names: () => ['orders'] }),
    observer: { rebalanced: (g) => rebalances.push(g), groupGone: (g) => gone.push(g) },
    logger: silentLogger, newMemberId: () => `member-${++ids}`,
  };
  let epoch = 0;
  let current: { leader: PartitionLeader; partition: CoordinatorPartition } | undefined;
  const purgatories = { producePurgatory: new Purgatory(), replicaFetchPurgatory: new Purgatory() };
  onCleanup(t, () => {
    current?.partition.close();
    purgatories.producePurgatory.expireAll();
  });
  return {
    log, clock, rebalances, gone,
    async lead() {
      if (current) {
        current.partition.close();
        current.leader.resign();
      }
      const leader = new PartitionLeader(TOPIC, 'id-offsets', 0, log, { replicas: [1], isr: [1], leaderEpoch: epoch++, partitionEpoch: 0 }, {
        nodeId: 1, lagTimeMaxMs: 30_000, now: () => clock.now, ...purgatories, wakeConsumers: () => {}, isrEligible: () => true, propose: () => {},
      });
      const partition = new CoordinatorPartition(0, leader, ctx);
      current = { leader, partition };
      assert.throws(() => partition.checkActive(), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      await partition.load();
      return partition;
    },
  };
}

function stream(partition: CoordinatorPartition): { stream: MemberStream; answers: GroupResponse[] } {
  const answers: GroupResponse[] = [];
  const s = new MemberStream({ membershipFor: () => partition.membership, heartbeatIntervalMs: 1000 }, { send: (r) => answers.push(r), end: () => {} });
  return { stream: s, answers };
}

/** A join as the wire decodes it (every field present, defaults included). */
const join = (groupId: string, rejoin: { memberId: string; memberEpoch: number; owned: number[] } = { memberId: '', memberEpoch: 0, owned: [] }): GroupRequest__Output => ({
  kind: 'join', join: {
    groupId, memberId: rejoin.memberId, instanceId: '', clientId: 'c', clientHost: 'h', rackId: '', subscribedTopics: ['orders'], subscribedTopicRegex: '',
    assignor: '', sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 0, memberEpoch: rejoin.memberEpoch,
    owned: rejoin.owned.length > 0 ? [{ topic: 'orders', partitions: rejoin.owned }] : [],
  },
});

test('a reload gives back the same committed offsets and group state', async (t) => {
  const f = fixture(t);
  const p = await f.lead();
  const { stream: s, answers } = stream(p);
  s.receive(join('g'));
  assert.equal(answers[0]!.errorCode, ErrorCode.NONE);
  assert.deepEqual(answers[0]!.assignment, [{ topic: 'orders', partitions: [0, 1, 2, 3] }]);
  const memberId = answers[0]!.memberId!;
  const commit = await commitOffsets(p, { groupId: 'g', memberId, memberEpoch: answers[0]!.memberEpoch!, topics: [{ name: 'orders', partitions: [{ partition: 2, offset: 42, leaderEpoch: 3, metadata: 'm' }] }] });
  assert.equal(commit.topics![0]!.partitions![0]!.errorCode, ErrorCode.NONE);
  await commitOffsets(p, { groupId: 'simple', memberId: '', memberEpoch: -1, topics: [{ name: 'orders', partitions: [{ partition: 0, offset: 7, leaderEpoch: -1, metadata: '' }] }] });
  const before = p.describe('g');
  assert.deepEqual(f.rebalances, ['g']);

  const again = await f.lead();
  assert.deepEqual(again.describe('g'), before);
  const fetched = await fetchOffsets(again, { groupId: 'g', topics: [], memberId: '', memberEpoch: -1 });
  assert.deepEqual(fetched.topics, [{ name: 'orders', partitions: [{ partition: 2, offset: 42, leaderEpoch: 3, metadata: 'm', errorCode: ErrorCode.NONE }] }]);
  assert.deepEqual(again.list([]).map((g) => [g.groupId, g.state]).sort(), [['g', 'Stable'], ['simple', 'Empty']]);
  // The member comes back under its id and epoch and keeps its partitions.
  const { stream: s2, answers: a2 } = stream(again);
  s2.receive(join('g', { memberId, memberEpoch: answers[0]!.memberEpoch!, owned: [0, 1, 2, 3] }));
  assert.equal(a2[0]!.errorCode, ErrorCode.NONE);
  assert.deepEqual(a2[0]!.assignment, [{ topic: 'orders', partitions: [0, 1, 2, 3] }]);
});

test('a record of an unknown type is skipped; a value of a newer version fails the load (COORDINATOR_NOT_AVAILABLE)', async (t) => {
  const f = fixture(t);
  await f.lead();
  f.log.appendAsLeader(encodeRecordBatch([{ key: Buffer.from([0, 99, 1, 2]), value: Buffer.from('from a newer broker') }]), 0);
  const p = await f.lead();
  p.checkActive();
  const newer = encodeGroupValue({ groupEpoch: 1, assignmentEpoch: 1, subscriptionFingerprint: '', emptySinceMs: undefined, members: new Map(), target: new Map() });
  newer.writeInt16BE(GROUP_VALUE_VERSION + 1, 0);
  f.log.appendAsLeader(encodeRecordBatch([{ key: encodeGroupKey('g'), value: newer }]), 1);
  const failed = await f.lead();
  assert.equal(failed.status, 'failed');
  assert.throws(() => failed.checkActive(), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

test('a refused append (the ISR below min.insync.replicas) changes nothing', async (t) => {
  const f = fixture(t, 2);
  const p = await f.lead();
  const { stream: s, answers } = stream(p);
  s.receive(join('g'));
  assert.equal(answers[0]!.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal(p.describe('g').errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  const commit = await commitOffsets(p, { groupId: 'g', memberId: '', memberEpoch: -1, topics: [{ name: 'orders', partitions: [{ partition: 0, offset: 5, leaderEpoch: -1, metadata: '' }] }] });
  assert.equal(commit.topics![0]!.partitions![0]!.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal(p.state.exists('g'), false);
  assert.equal(f.log.logEndOffset, 0);
});

test('expiry writes tombstones: a reload finds the group gone', async (t) => {
  const f = fixture(t);
  const p = await f.lead();
  await commitOffsets(p, { groupId: 'old', memberId: '', memberEpoch: -1, topics: [{ name: 'orders', partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: '' }] }] });
  f.clock.now += 30_000;
  await commitOffsets(p, { groupId: 'young', memberId: '', memberEpoch: -1, topics: [{ name: 'orders', partitions: [{ partition: 0, offset: 2, leaderEpoch: -1, metadata: '' }] }] });
  f.clock.now += 30_000;
  p.expire();
  assert.equal(p.state.exists('old'), false);
  assert.equal(p.state.exists('young'), true);
  assert.deepEqual(f.gone, ['old']);
  const again = await f.lead();
  assert.deepEqual(again.list([]).map((g) => g.groupId), ['young']);
});
