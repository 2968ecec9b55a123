import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RaftNode } from '../../../../broker/quorum/raft/raft-node.js';
import { MemoryRaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import type { RaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import { RaftConfigError, RaftUsageError } from '../../../../broker/quorum/raft/raft-types.js';
import type { LogEntry, RaftMessage } from '../../../../broker/quorum/raft/raft-types.js';
import { InstantCluster, mulberry32, testConfig } from './raft-harness.js';

function entry(index: number, term: number, kind: 'data' | 'noop' = 'data'): LogEntry {
  return { index, term, data: kind === 'noop' ? Buffer.alloc(0) : Buffer.from(`${index}@${term}`), kind };
}

function storageWith(term: number, votedFor: number | undefined, terms: number[]): MemoryRaftStorage {
  const s = new MemoryRaftStorage();
  s.saveHardState({ term, votedFor });
  s.append(terms.map((t, i) => entry(i + 1, t)));
  return s;
}

function persisted(s: RaftStorage): unknown {
  const first = s.firstIndex();
  const last = s.lastIndex();
  return { hard: s.hardState(), snapshot: s.snapshot(), entries: last >= first ? s.entries(first, last) : [] };
}

function electedCluster(voters = [1, 2, 3], seed = 1): { cluster: InstantCluster; leader: number } {
  const cluster = new InstantCluster(voters, seed);
  cluster.advance(400);
  const leaders = cluster.leaders();
  assert.equal(leaders.length, 1);
  return { cluster, leader: leaders[0]! };
}

test('a cluster elects one leader on timeout and every node commits its no-op', () => {
  const { cluster, leader } = electedCluster();
  cluster.advance(100);
  for (const id of cluster.voters) {
    const status = cluster.node(id).status();
    assert.equal(status.leaderId, leader);
    assert.equal(status.term, cluster.node(leader).status().term);
    assert.equal(status.commitIndex, 1);
    assert.deepEqual(cluster.committed.get(id)!.map((e) => e.kind), ['noop']);
  }
});

test('a single voter elects itself and commits proposals at once', () => {
  const node = new RaftNode(testConfig(1, [1]), new MemoryRaftStorage(), mulberry32(3), 0);
  const out = node.tick(400);
  assert.equal(node.status().role, 'leader');
  assert.equal(out.leaderChanged, true);
  assert.deepEqual(out.committed.map((e) => e.kind), ['noop']);
  const result = node.propose([Buffer.from('a'), Buffer.from('b')], 401);
  assert.ok(result.ok);
  assert.deepEqual([result.firstIndex, result.lastIndex], [2, 3]);
  assert.deepEqual(result.output.committed.map((e) => e.data.toString()), ['a', 'b']);
});

test('proposals commit on the leader, then on followers with the next append', () => {
  const { cluster, leader } = electedCluster();
  const follower = cluster.voters.find((id) => id !== leader)!;
  const refused = cluster.node(follower).propose([Buffer.from('x')], cluster.now);
  assert.deepEqual(refused, { ok: false, leaderId: leader });
  const result = cluster.node(leader).propose([Buffer.from('x'), Buffer.from('y')], cluster.now);
  assert.ok(result.ok);
  cluster.deliver(leader, result.output);
  const leaderData = cluster.committed.get(leader)!.filter((e) => e.kind === 'data');
  assert.deepEqual(leaderData.map((e) => [e.index, e.data.toString()]), [[result.firstIndex, 'x'], [result.lastIndex, 'y']]);
  cluster.advance(50);
  assert.deepEqual(cluster.committed.get(follower)!.filter((e) => e.kind === 'data').map((e) => e.data.toString()), ['x', 'y']);
  assert.throws(() => cluster.node(leader).propose([], cluster.now), RaftUsageError);
});

test('pre-vote: a partitioned follower does not raise its term or disturb the majority', () => {
  const { cluster, leader } = electedCluster();
  const loner = cluster.voters.find((id) => id !== leader)!;
  const term = cluster.node(leader).status().term;
  cluster.isolate(loner);
  cluster.advance(3000);
  assert.equal(cluster.node(loner).status().term, term);
  assert.equal(cluster.node(loner).status().role, 'prevoting');
  assert.equal(cluster.storage(loner).hardState().term, term);
  cluster.heal();
  cluster.advance(500);
  assert.equal(cluster.node(leader).status().role, 'leader');
  assert.equal(cluster.node(leader).status().term, term);
  assert.equal(cluster.node(loner).status().leaderId, leader);
});

test('check-quorum: an isolated leader steps down and the majority elects another', () => {
  const { cluster, leader } = electedCluster();
  const term = cluster.node(leader).status().term;
  cluster.isolate(leader);
  cluster.advance(700);
  assert.notEqual(cluster.node(leader).status().role, 'leader');
  const others = cluster.leaders();
  assert.equal(others.length, 1);
  assert.ok(cluster.node(others[0]!).status().term > term);
  cluster.heal();
  cluster.advance(300);
  assert.equal(cluster.node(leader).status().leaderId, others[0]);
});

test('leader stickiness: a follower that hears its leader rejects pre-votes and ignores votes', () => {
  const { cluster, leader } = electedCluster();
  const [a, b] = cluster.voters.filter((id) => id !== leader) as [number, number];
  const status = cluster.node(a).status();
  const before = persisted(cluster.storage(a));
  const base = { type: 'RequestVote' as const, from: b, lastLogIndex: 99, lastLogTerm: status.term };
  const pre = cluster.node(a).receive(b, { ...base, term: status.term + 1, preVote: true }, cluster.now);
  assert.deepEqual(pre.messages.map((m) => m.message), [
    { type: 'RequestVoteResponse', from: a, term: status.term, preVote: true, voteGranted: false },
  ]);
  const vote = cluster.node(a).receive(b, { ...base, term: status.term + 1, preVote: false }, cluster.now);
  assert.deepEqual(vote.messages, []);
  assert.deepEqual(cluster.node(a).status(), status);
  assert.deepEqual(persisted(cluster.storage(a)), before);
});

test('messages from unknown nodes, of old terms, or malformed change nothing', () => {
  // Depose the first leader so that there is an older term to send messages in.
  const { cluster, leader: first } = electedCluster();
  cluster.isolate(first);
  cluster.advance(700);
  cluster.heal();
  cluster.advance(300);
  const leader = cluster.leaders()[0]!;
  assert.ok(cluster.node(leader).status().term >= 2);
  const id = cluster.voters.find((v) => v !== leader)!;
  const other = cluster.voters.find((v) => v !== leader && v !== id)!;
  const node = cluster.node(id);
  const term = node.status().term;
  const last = node.status().lastLogIndex;
  const good: RaftMessage = { type: 'AppendEntries', from: leader, term, prevLogIndex: last, prevLogTerm: term, entries: [entry(last + 1, term)], leaderCommit: 1 };
  const cases: [number, unknown, 'none' | 'reject' | 'vote-reject'][] = [
    [9, { ...good, from: 9 }, 'none'],
    [9, { type: 'RequestVote', from: 9, term: term + 5, preVote: false, lastLogIndex: 50, lastLogTerm: term }, 'none'],
    [id, { ...good, from: id }, 'none'],
    [other, good, 'none'],
    [leader, { ...good, term: term - 1, prevLogTerm: term - 1, entries: [] }, 'reject'],
    [other, { type: 'RequestVote', from: other, term: term - 1, preVote: false, lastLogIndex: 99, lastLogTerm: 1 }, 'vote-reject'],
    [leader, { ...good, prevLogIndex: -1 }, 'none'],
    [leader, { ...good, entries: [entry(last + 2, term)] }, 'none'],
    [leader, { ...good, entries: [entry(last + 1, term), entry(last + 3, term)] }, 'none'],
    [leader, { ...good, entries: [entry(last + 1, term + 1)] }, 'none'],
    [leader, { ...good, entries: [{ ...entry(last + 1, term), data: 'text' }] }, 'none'],
    [leader, { ...good, leaderCommit: 1.5 }, 'none'],
    [leader, { ...good, term: Number.NaN }, 'none'],
    [leader, { ...good, type: 'Gossip' }, 'none'],
    [leader, { type: 'InstallSnapshot', from: leader, term, lastIndex: 0, lastTerm: 1, data: Buffer.alloc(0) }, 'none'],
    [leader, { type: 'AppendEntriesResponse', from: leader, term, success: false, matchIndex: 0, conflictIndex: 0, conflictTerm: 0 }, 'none'],
    [leader, null, 'none'],
    [leader, 'AppendEntries', 'none'],
  ];
  for (const [from, message, expect] of cases) {
    const status = node.status();
    const before = persisted(cluster.storage(id));
    const out = node.receive(from, message as RaftMessage, cluster.now);
    assert.deepEqual(node.status(), status, JSON.stringify(message));
    assert.deepEqual(persisted(cluster.storage(id)), before);
    assert.deepEqual(out.committed, []);
    if (expect === 'none') {
      assert.deepEqual(out.messages, [], JSON.stringify(message));
    } else if (expect === 'vote-reject') {
      assert.deepEqual(out.messages.map((m) => [m.message.type, m.message.term, (m.message as { voteGranted: boolean }).voteGranted]), [
        ['RequestVoteResponse', term, false],
      ]);
    } else {
      assert.deepEqual(out.messages.map((m) => [m.to, m.message.type, m.message.term, (m.message as { success: boolean }).success]), [
        [leader, 'AppendEntriesResponse', term, false],
      ]);
    }
  }
  // The same message, well formed, is taken.
  assert.equal(node.receive(leader, good, cluster.now).messages.length, 1);
  assert.equal(node.status().lastLogIndex, last + 1);
});

test('receive never throws and leaves state alone on arbitrary input', () => {
  const node = new RaftNode(testConfig(1, [1, 2, 3]), storageWith(2, 3, [1, 2]), mulberry32(5), 0);
  const status = node.status();
  fc.assert(
    fc.property(fc.integer({ min: -1, max: 4 }), fc.anything(), (from, message) => {
      node.receive(from, message as RaftMessage, 10);
      assert.deepEqual(node.status(), status);
    }),
    { numRuns: 500 },
  );
  const hostile = { type: 'AppendEntries', from: 2, get term(): number { throw new Error('boom'); } };
  assert.deepEqual(node.receive(2, hostile as unknown as RaftMessage, 10).messages, []);
  assert.deepEqual(node.status(), status);
});

test('fast backtracking repairs a divergent follower in a few round trips', () => {
  const voters = [1, 2, 3];
  const cluster = new InstantCluster(voters, 7);
  // Node 2 led term 2 and wrote entries nobody else has; nodes 1 and 3 moved on in term 3.
  const logs: Record<number, MemoryRaftStorage> = {
    1: storageWith(3, 1, [1, 1, 3, 3, 3]),
    2: storageWith(2, 2, [1, 1, 2, 2, 2, 2, 2, 2, 2, 2]),
    3: storageWith(3, 1, [1, 1, 3, 3]),
  };
  for (const id of voters) {
    cluster.storages.set(id, logs[id]!);
    cluster.nodes.set(id, new RaftNode(testConfig(id, voters), logs[id]!, mulberry32(id), 0));
  }
  let rejections = 0;
  const node2 = cluster.node(2);
  const receive = node2.receive.bind(node2);
  node2.receive = (from, message, now) => {
    const out = receive(from, message, now);
    for (const m of out.messages) {
      if (m.message.type === 'AppendEntriesResponse' && !m.message.success) rejections++;
    }
    return out;
  };
  cluster.advance(600);
  const leader = cluster.leaders()[0]!;
  assert.notEqual(leader, 2);
  const leaderLog = persisted(cluster.storage(leader)) as { entries: LogEntry[] };
  assert.deepEqual(persisted(logs[2]!), { ...(persisted(cluster.storage(leader)) as object), hard: logs[2]!.hardState() });
  assert.deepEqual(cluster.committed.get(2)!.map((e) => `${e.index}:${e.term}`), leaderLog.entries.map((e) => `${e.index}:${e.term}`));
  assert.ok(rejections >= 1 && rejections <= 2, `rejections: ${rejections}`);
});

test('a follower commits no further than the entries the leader just verified', () => {
  // Node 2's entries 3 and 4 are from a dead term-2 leader; the term-3 leader's commit index 4
  // refers to its own entries 3 and 4, which node 2 has not received yet.
  const storage = storageWith(2, undefined, [1, 1, 2, 2]);
  const node = new RaftNode(testConfig(2, [1, 2, 3]), storage, mulberry32(1), 0);
  const out = node.receive(1, { type: 'AppendEntries', from: 1, term: 3, prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2, 1)], leaderCommit: 4 }, 10);
  assert.deepEqual(out.committed.map((e) => e.index), [1, 2]);
  assert.equal(node.status().commitIndex, 2);
  assert.deepEqual(out.messages.map((m) => m.message), [
    { type: 'AppendEntriesResponse', from: 2, term: 3, success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 },
  ]);
  // The conflicting entry arrives: the stale suffix goes, and only now does 3 commit.
  const next = node.receive(1, { type: 'AppendEntries', from: 1, term: 3, prevLogIndex: 2, prevLogTerm: 1, entries: [entry(3, 3)], leaderCommit: 4 }, 20);
  assert.deepEqual(next.committed.map((e) => `${e.index}:${e.term}`), ['3:3']);
  assert.equal(storage.lastIndex(), 3);
});

test('a follower far behind a compacted leader gets the snapshot, then the rest of the log', () => {
  const { cluster, leader } = electedCluster();
  const behind = cluster.voters.find((id) => id !== leader)!;
  cluster.isolate(behind);
  for (let i = 0; i < 20; i++) {
    const result = cluster.node(leader).propose([Buffer.from(`v${i}`)], cluster.now);
    assert.ok(result.ok);
    cluster.deliver(leader, result.output);
  }
  const applied = cluster.node(leader).status().lastApplied;
  assert.equal(applied, 21);
  cluster.node(leader).installSnapshotFromStateMachine(15, Buffer.from('state@15'));
  assert.throws(() => cluster.node(leader).installSnapshotFromStateMachine(99, Buffer.from('x')), RaftUsageError);
  assert.deepEqual(cluster.node(leader).readCommitted(3, 10), { snapshotNeeded: true });
  assert.deepEqual((cluster.node(leader).readCommitted(16, 3) as LogEntry[]).map((e) => e.index), [16, 17, 18]);
  assert.deepEqual(cluster.node(leader).readCommitted(22, 3), []);

  const snapshots: Buffer[] = [];
  const node = cluster.node(behind);
  const receive = node.receive.bind(node);
  node.receive = (from, message, now) => {
    const out = receive(from, message, now);
    if (out.snapshot !== undefined) snapshots.push(out.snapshot.data);
    return out;
  };
  cluster.heal();
  cluster.advance(200);
  assert.deepEqual(snapshots.map((b) => b.toString()), ['state@15']);
  const status = node.status();
  assert.equal(status.snapshotIndex, 15);
  assert.equal(status.commitIndex, 21);
  assert.deepEqual(cluster.committed.get(behind)!.filter((e) => e.index > 15).map((e) => e.data.toString()), ['v14', 'v15', 'v16', 'v17', 'v18', 'v19']);
});

test('a restarted node keeps its term and vote and re-delivers committed entries after its snapshot', () => {
  const { cluster, leader } = electedCluster();
  const result = cluster.node(leader).propose([Buffer.from('a'), Buffer.from('b')], cluster.now);
  assert.ok(result.ok);
  cluster.deliver(leader, result.output);
  cluster.node(leader).installSnapshotFromStateMachine(2, Buffer.from('state@2'));
  const storage = cluster.storages.get(leader)!.crash();
  const before = cluster.node(leader).status();
  const restarted = new RaftNode(testConfig(leader, cluster.voters), storage, mulberry32(9), cluster.now);
  const status = restarted.status();
  assert.deepEqual([status.role, status.term, status.votedFor, status.commitIndex, status.lastLogIndex], ['follower', before.term, leader, 2, 3]);
});

test('configuration mistakes are named errors', () => {
  const make = (overrides: object): RaftNode =>
    new RaftNode({ ...testConfig(1, [1, 2, 3]), ...overrides }, new MemoryRaftStorage(), Math.random, 0);
  assert.throws(() => make({ voters: [2, 3] }), RaftConfigError);
  assert.throws(() => make({ voters: [1, 1, 2] }), RaftConfigError);
  assert.throws(() => make({ electionTimeoutMaxMs: 100 }), RaftConfigError);
  assert.throws(() => make({ heartbeatIntervalMs: 100 }), RaftConfigError);
  assert.throws(() => make({ maxEntriesPerAppend: 0 }), RaftConfigError);
});

/** The messages of one type delivered since `from` (an index into cluster.delivered). */
function deliveredSince(cluster: InstantCluster, from: number, type: RaftMessage['type']): { from: number; to: number; message: RaftMessage }[] {
  return cluster.delivered.slice(from).filter((d) => d.message.type === type);
}

test('leadership transfer: a caught-up voter is told TimeoutNow and elected at once, with no pre-vote', () => {
  const { cluster, leader } = electedCluster();
  cluster.advance(100);
  const term = cluster.node(leader).status().term;
  const mark = cluster.delivered.length;
  const result = cluster.node(leader).transferLeadership(cluster.now);
  assert.ok(result.ok);
  // Both followers match the leader's log: the lower id is chosen.
  const target = Math.min(...cluster.voters.filter((id) => id !== leader));
  assert.equal(result.target, target);
  assert.equal(cluster.node(leader).status().transferTarget, target);
  assert.deepEqual(result.output.messages.map((m) => [m.to, m.message.type, m.message.term]), [[target, 'TimeoutNow', term]]);
  // From now on the old leader takes no proposals.
  assert.deepEqual(cluster.node(leader).propose([Buffer.from('late')], cluster.now), { ok: false, leaderId: leader, transferringTo: target });

  // No time passes: the voters all heard the leader just now, and vote for the target anyway.
  cluster.deliver(leader, result.output);
  const votes = deliveredSince(cluster, mark, 'RequestVote').map((d) => d.message as RaftMessage & { preVote: boolean; transfer?: boolean });
  assert.ok(votes.length > 0);
  assert.ok(votes.every((v) => v.from === target && !v.preVote && v.transfer === true && v.term === term + 1));
  const status = cluster.node(target).status();
  assert.deepEqual([status.role, status.term], ['leader', term + 1]);
  const old = cluster.node(leader).status();
  assert.deepEqual([old.role, old.term, old.leaderId, old.transferTarget], ['follower', term + 1, target, undefined]);

  const next = cluster.node(target).propose([Buffer.from('after')], cluster.now);
  assert.ok(next.ok);
  cluster.deliver(target, next.output);
  cluster.advance(50);
  for (const id of cluster.voters) assert.ok(cluster.committed.get(id)!.some((e) => e.data.toString() === 'after'), `node ${id} committed it`);
});

test('leadership transfer: a lagging target gets the missing entries before TimeoutNow', () => {
  const { cluster, leader } = electedCluster();
  const target = cluster.voters.find((id) => id !== leader)!;
  cluster.cut.add(`${leader}->${target}`);
  for (let i = 0; i < 5; i++) {
    const r = cluster.node(leader).propose([Buffer.from(`e${i}`)], cluster.now);
    assert.ok(r.ok);
    cluster.deliver(leader, r.output);
  }
  const lastIndex = cluster.node(leader).status().lastLogIndex;
  assert.ok(cluster.node(target).status().lastLogIndex < lastIndex);
  cluster.heal();
  const mark = cluster.delivered.length;
  const result = cluster.node(leader).transferLeadership(cluster.now, target);
  assert.ok(result.ok);
  assert.deepEqual(result.output.messages.map((m) => [m.to, m.message.type]), [[target, 'AppendEntries']]);
  cluster.deliver(leader, result.output);
  // Up to TimeoutNow the old leader sent the target nothing but appends, and TimeoutNow went out
  // only after the target said it holds the leader's last entry.
  const timeoutNowAt = cluster.delivered.findIndex((d, i) => i >= mark && d.message.type === 'TimeoutNow');
  const toTarget = cluster.delivered.slice(mark, timeoutNowAt).filter((d) => d.from === leader && d.to === target).map((d) => d.message.type);
  assert.ok(toTarget.length > 0 && toTarget.every((type) => type === 'AppendEntries'), toTarget.join(','));
  const caughtUpAt = cluster.delivered.findIndex((d, i) => i >= mark && d.from === target && d.message.type === 'AppendEntriesResponse'
    && (d.message as { matchIndex: number }).matchIndex === lastIndex);
  assert.ok(caughtUpAt >= 0 && caughtUpAt < timeoutNowAt);
  assert.equal(cluster.node(target).status().role, 'leader');
  const data = (cluster.storage(target).entries(1, cluster.storage(target).lastIndex())).filter((e) => e.kind === 'data').map((e) => e.data.toString());
  assert.deepEqual(data, ['e0', 'e1', 'e2', 'e3', 'e4']);
});

test('leadership transfer: the default target is the voter heard from lately with the longest matching log', () => {
  // Behind: the lowest-id follower misses the leader's last proposals (a lower id wins only ties).
  const { cluster, leader } = electedCluster();
  const [low, high] = cluster.voters.filter((id) => id !== leader).sort((a, b) => a - b) as [number, number];
  cluster.cut.add(`${leader}->${low}`);
  const r = cluster.node(leader).propose([Buffer.from('x')], cluster.now);
  assert.ok(r.ok);
  cluster.deliver(leader, r.output);
  const picked = cluster.node(leader).transferLeadership(cluster.now);
  assert.ok(picked.ok);
  assert.equal(picked.target, high);

  // Silent: the lowest-id follower has the same log but has not answered for an election timeout.
  const second = electedCluster([1, 2, 3], 11);
  const c = second.cluster;
  const [quiet, alive] = c.voters.filter((id) => id !== second.leader).sort((a, b) => a - b) as [number, number];
  c.advance(50);
  c.isolate(quiet);
  c.advance(200);
  assert.equal(c.node(second.leader).status().role, 'leader');
  assert.equal(c.node(second.leader).status().lastLogIndex, c.node(quiet).status().lastLogIndex);
  const chosen = c.node(second.leader).transferLeadership(c.now);
  assert.ok(chosen.ok);
  assert.equal(chosen.target, alive);
});

test('leadership transfer: when the target cannot be reached it is dropped after an election timeout and the leader goes on', () => {
  const { cluster, leader } = electedCluster();
  const target = cluster.voters.find((id) => id !== leader)!;
  const term = cluster.node(leader).status().term;
  cluster.isolate(target);
  const result = cluster.node(leader).transferLeadership(cluster.now, target);
  assert.ok(result.ok);
  cluster.deliver(leader, result.output);
  cluster.advance(100);
  assert.equal(cluster.node(leader).status().transferTarget, target);
  assert.equal(cluster.node(leader).propose([Buffer.from('refused')], cluster.now).ok, false);
  cluster.advance(100);
  const status = cluster.node(leader).status();
  assert.deepEqual([status.role, status.term, status.transferTarget], ['leader', term, undefined]);
  const r = cluster.node(leader).propose([Buffer.from('taken')], cluster.now);
  assert.ok(r.ok);
  cluster.deliver(leader, r.output);
  assert.ok(cluster.committed.get(leader)!.some((e) => e.data.toString() === 'taken'));
  // A second call while one runs changes nothing; the call is refused where it cannot apply.
  const again = cluster.node(leader).transferLeadership(cluster.now, target);
  assert.ok(again.ok);
  assert.deepEqual(cluster.node(leader).transferLeadership(cluster.now, leader), { ok: true, target, output: { messages: [], committed: [] } });
  const follower = cluster.voters.find((id) => id !== leader && id !== target)!;
  assert.equal(cluster.node(follower).transferLeadership(cluster.now).ok, false);
  const alone = new RaftNode(testConfig(1, [1]), new MemoryRaftStorage(), mulberry32(3), 0);
  alone.tick(400);
  assert.equal(alone.status().role, 'leader');
  assert.deepEqual(alone.transferLeadership(401), { ok: false, reason: 'no other voter answered within an election timeout' });
  const fresh = electedCluster([1, 2, 3], 5);
  assert.equal(fresh.cluster.node(fresh.leader).transferLeadership(fresh.cluster.now, 9).ok, false);
  assert.equal(fresh.cluster.node(fresh.leader).transferLeadership(fresh.cluster.now, fresh.leader).ok, false);
});

test('leadership transfer: stale TimeoutNow is ignored and a transfer vote still needs an up-to-date log', () => {
  const { cluster, leader } = electedCluster();
  cluster.advance(100);
  const [a, b] = cluster.voters.filter((id) => id !== leader) as [number, number];
  const node = cluster.node(a);
  const term = node.status().term;
  const status = node.status();
  const before = persisted(cluster.storage(a));
  // An older term's TimeoutNow, or one from a voter that is not the leader in another term: nothing.
  assert.deepEqual(node.receive(leader, { type: 'TimeoutNow', from: leader, term: term - 1 }, cluster.now).messages, []);
  assert.deepEqual(node.receive(b, { type: 'TimeoutNow', from: b, term: term + 1 }, cluster.now).messages, []);
  assert.deepEqual(node.status(), status);
  assert.deepEqual(persisted(cluster.storage(a)), before);
  // A leader told TimeoutNow by a peer of its own term (which cannot lead it) ignores it.
  assert.deepEqual(cluster.node(leader).receive(a, { type: 'TimeoutNow', from: a, term }, cluster.now).messages, []);
  assert.equal(cluster.node(leader).status().role, 'leader');
  // The transfer flag on a pre-vote is malformed: dropped.
  const vote = { type: 'RequestVote' as const, from: b, term: term + 1, lastLogIndex: 0, lastLogTerm: 0 };
  assert.deepEqual(node.receive(b, { ...vote, preVote: true, transfer: true }, cluster.now).messages, []);
  assert.deepEqual(node.status(), status);
  // A transfer vote passes stickiness but not the log check: the candidate lacks committed entries.
  const refused = node.receive(b, { ...vote, preVote: false, transfer: true }, cluster.now);
  assert.deepEqual(refused.messages.map((m) => m.message), [
    { type: 'RequestVoteResponse', from: a, term: term + 1, preVote: false, voteGranted: false },
  ]);
  assert.equal(node.status().votedFor, undefined);
});
