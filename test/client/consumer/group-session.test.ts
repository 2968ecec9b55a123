// The member's side of a rebalance, without a coordinator: a stand-in membership delivers
// assignments, losses and fatal errors; the session's order of work is checked — revoked partitions
// stop at once, then the revoke listener, then the commit (auto-commit), then the report (heartbeat);
// new partitions start without a position; lost ones are never committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupSession, type MembershipHandle, type RebalanceListener, type SessionDeps } from '../../../client/consumer/group-session.js';
import type { MembershipEvents } from '../../../client/consumer/group-membership.js';
import { PartitionState, tpKey, type TopicPartition } from '../../../client/consumer/partition-state.js';
import { ErrorCode, StraitError } from '../../../client/errors.js';

const tp = (partition: number): TopicPartition => ({ topic: 't', partition });
const names = (tps: readonly TopicPartition[]): string => tps.map((p) => p.partition).join(',');

function harness(options: { autoCommit?: boolean; listener?: RebalanceListener; commitFails?: boolean } = {}) {
  const log: string[] = [];
  const states = new Map<string, PartitionState>();
  let events: MembershipEvents | undefined;
  let owned: (() => TopicPartition[]) | undefined;
  const membership: MembershipHandle = {
    start: () => log.push('start'),
    identity: () => ({ memberId: 'm', memberEpoch: 1 }),
    heartbeatNow: () => log.push(`heartbeat owned=${names(owned!())}`),
    leave: async () => {
      log.push('leave');
    },
    stop: () => log.push('stop'),
  };
  const deps: SessionDeps = {
    states,
    enableAutoCommit: options.autoCommit ?? true,
    requestTimeoutMs: 1000,
    committer: {
      commitConsumed: async (list) => {
        log.push(`commit ${[...list].map((s) => `${s.partition}@${s.consumed}`).join(',')}`);
        if (options.commitFails) throw new StraitError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      },
      forget: () => undefined,
    },
    membership: (_sub, e, o) => {
      events = e;
      owned = o;
      return membership;
    },
    refreshMetadata: () => undefined,
    wake: () => undefined,
    kick: () => undefined,
  };
  const listener = options.listener ?? {
    onPartitionsAssigned: (tps) => void log.push(`assigned ${names(tps)}`),
    onPartitionsRevoked: (tps) => void log.push(`revoked ${names(tps)}`),
  };
  const session = new GroupSession(deps, { kind: 'topics', topics: ['t'] }, listener);
  return { session, states, log, events: () => events!, state: (p: number) => states.get(tpKey('t', p)) };
}

test('a first assignment adds the partitions without positions, then the listener, then the report', async () => {
  const h = harness();
  h.events().onAssignment([tp(0), tp(1)]);
  assert.ok(h.session.hasWork);
  await h.session.reconcile();
  assert.deepEqual(h.log, ['start', 'assigned 0,1', 'heartbeat owned=0,1']);
  assert.equal(h.state(0)!.position, undefined, 'positions come from the committed offsets later');
  assert.ok(!h.session.hasWork);
});

test('a shrunk assignment: the revoked partition stops at once; listener, commit, then the report', async () => {
  let duringListener: boolean[] = [];
  const h = harness({
    listener: {
      onPartitionsRevoked: async (tps) => {
        duringListener = [h.state(0)!.active, h.state(1)!.active];
        h.log.push(`revoked ${names(tps)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    },
  });
  h.events().onAssignment([tp(0), tp(1)]);
  await h.session.reconcile();
  h.state(0)!.seek(5);
  h.state(1)!.seek(7);
  h.log.length = 0;
  h.events().onAssignment([tp(0)]);
  assert.equal(h.state(1)!.active, false, 'no fetch, no record of a partition being revoked');
  assert.equal(h.state(0)!.active, true, 'the kept partition goes on');
  await h.session.reconcile();
  assert.deepEqual(duringListener, [true, false]);
  assert.deepEqual(h.log, ['revoked 1', 'commit 1@7', 'heartbeat owned=0']);
  assert.equal(h.state(1), undefined);
});

test('without auto-commit nothing is committed; a failed commit does not hold the revocation up', async () => {
  for (const [options, commits] of [[{ autoCommit: false }, 0], [{ commitFails: true }, 1]] as const) {
    const h = harness(options);
    h.events().onAssignment([tp(0), tp(1)]);
    await h.session.reconcile();
    h.state(1)!.seek(3);
    h.log.length = 0;
    h.events().onAssignment([tp(0)]);
    await h.session.reconcile();
    assert.equal(h.log.filter((l) => l.startsWith('commit')).length, commits);
    assert.equal(h.log.at(-1), 'heartbeat owned=0');
  }
});

test('an assignment arriving during a revocation does not take the revoked partition back mid-way', async () => {
  let h!: ReturnType<typeof harness>;
  let once = true;
  h = harness({
    listener: {
      onPartitionsRevoked: (tps) => {
        h.log.push(`revoked ${names(tps)}`);
        if (once) {
          once = false;
          h.events().onAssignment([tp(0), tp(1)]); // the coordinator changed its mind
          assert.equal(h.state(1)!.active, false);
        }
      },
      onPartitionsAssigned: (tps) => void h.log.push(`assigned ${names(tps)}`),
    },
  });
  h.events().onAssignment([tp(0), tp(1)]);
  await h.session.reconcile();
  h.log.length = 0;
  h.events().onAssignment([tp(0)]);
  await h.session.reconcile();
  assert.deepEqual(h.log, ['revoked 1', 'commit 1@undefined', 'assigned ', 'heartbeat owned=0', 'assigned 1', 'heartbeat owned=0,1']);
  assert.equal(h.state(1)!.position, undefined, 'taken back as a new partition, from the committed offset');
});

test('lost partitions: the lost listener (or revoked by default), no commit, gone before any new assignment', async () => {
  const h = harness();
  h.events().onAssignment([tp(0), tp(1)]);
  await h.session.reconcile();
  h.state(0)!.seek(4);
  h.log.length = 0;
  h.events().onLost(new StraitError(ErrorCode.FENCED_MEMBER_EPOCH));
  assert.deepEqual(h.session.owned(), [], 'the rejoin reports nothing owned');
  h.events().onAssignment([tp(1)]);
  await h.session.reconcile();
  assert.deepEqual(h.log, ['revoked 0,1', 'assigned 1', 'heartbeat owned=1']);
});

test('a fatal error is raised from every reconcile; a listener error once, after the work is done', async () => {
  const h = harness({ listener: { onPartitionsAssigned: () => { throw new Error('listener broke'); } } });
  h.events().onAssignment([tp(0)]);
  await assert.rejects(h.session.reconcile(), /listener broke/);
  assert.deepEqual(h.log, ['start', 'heartbeat owned=0'], 'the assignment was applied and reported anyway');
  await h.session.reconcile();
  h.events().onFatal(new StraitError(ErrorCode.FENCED_INSTANCE_ID));
  await assert.rejects(h.session.reconcile(), (e: StraitError) => e.code === ErrorCode.FENCED_INSTANCE_ID);
  await assert.rejects(h.session.reconcile(), (e: StraitError) => e.code === ErrorCode.FENCED_INSTANCE_ID);
});

test('leave: everything revoked (listener, commit), then the membership leaves', async () => {
  const h = harness();
  h.events().onAssignment([tp(0), tp(1)]);
  await h.session.reconcile();
  h.state(0)!.seek(2);
  h.state(1)!.seek(9);
  h.log.length = 0;
  await h.session.leave();
  assert.deepEqual(h.log, ['revoked 0,1', 'commit 0@2,1@9', 'leave']);
  assert.equal(h.states.size, 0);
});
