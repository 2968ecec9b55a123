// Every Raft message survives the trip through a Quorum RaftEnvelope and the protobuf bytes the
// Raft RPC carries, the leadership-transfer ones included; an envelope without a message decodes to none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProtos, type wire } from '../../../client/index.js';
import { fromEnvelope, toEnvelope } from '../../../broker/quorum/raft-codec.js';
import type { RaftMessage } from '../../../broker/quorum/raft/index.js';

function overTheWire(envelope: wire.RaftEnvelope): wire.RaftEnvelope__Output {
  const method = loadProtos().proto.strait.v1.Quorum.service.Raft;
  return method.requestDeserialize(method.requestSerialize(envelope)) as wire.RaftEnvelope__Output;
}

test('raft messages round-trip through RaftEnvelope bytes', () => {
  const messages: RaftMessage[] = [
    { type: 'RequestVote', from: 2, term: 7, preVote: true, lastLogIndex: 40, lastLogTerm: 6 },
    { type: 'RequestVote', from: 2, term: 7, preVote: false, lastLogIndex: 40, lastLogTerm: 6 },
    { type: 'RequestVote', from: 2, term: 8, preVote: false, lastLogIndex: 41, lastLogTerm: 7, transfer: true },
    { type: 'RequestVoteResponse', from: 3, term: 7, preVote: false, voteGranted: true },
    {
      type: 'AppendEntries', from: 1, term: 7, prevLogIndex: 39, prevLogTerm: 6, leaderCommit: 38,
      entries: [{ index: 40, term: 7, kind: 'noop', data: Buffer.alloc(0) }, { index: 41, term: 7, kind: 'data', data: Buffer.from('x') }],
    },
    { type: 'AppendEntriesResponse', from: 3, term: 7, success: false, matchIndex: 0, conflictIndex: 12, conflictTerm: 5 },
    { type: 'InstallSnapshot', from: 1, term: 7, lastIndex: 30, lastTerm: 6, data: Buffer.from('image') },
    { type: 'InstallSnapshotResponse', from: 3, term: 7, matchIndex: 30 },
    { type: 'TimeoutNow', from: 1, term: 7 },
  ];
  for (const message of messages) {
    const env = overTheWire(toEnvelope('cluster-x', 9, message));
    assert.deepEqual([env.clusterId, env.from, env.to], ['cluster-x', message.from, 9]);
    assert.deepEqual(fromEnvelope(env), message, message.type);
  }
  assert.equal(fromEnvelope(overTheWire({ clusterId: 'cluster-x', from: 1, to: 2 })), undefined);
});
