// Raft messages <-> Quorum RaftEnvelope protos. The pure core validates every decoded message again
// (isValidMessage), so decoding here only has to produce the right shape or nothing.
import type { wire } from '../../client/index.js';
import type { LogEntry, RaftMessage } from './raft/index.js';

const EMPTY = Buffer.alloc(0);

export function entryToProto(e: LogEntry): { index: number; term: number; kind: string; data: Buffer } {
  return { index: e.index, term: e.term, kind: e.kind, data: e.data };
}

export function entryFromProto(e: wire.RaftEntry__Output | null | undefined): LogEntry | undefined {
  if (!e || (e.kind !== 'data' && e.kind !== 'noop')) return undefined;
  return { index: e.index, term: e.term, kind: e.kind, data: Buffer.isBuffer(e.data) ? e.data : EMPTY };
}

export function toEnvelope(clusterId: string, to: number, m: RaftMessage): wire.RaftEnvelope {
  const base = { clusterId, from: m.from, to };
  switch (m.type) {
    case 'RequestVote':
      return {
        ...base,
        requestVote: { term: m.term, preVote: m.preVote, lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm, transfer: m.transfer === true },
      };
    case 'RequestVoteResponse':
      return { ...base, requestVoteResponse: { term: m.term, preVote: m.preVote, voteGranted: m.voteGranted } };
    case 'AppendEntries':
      return {
        ...base,
        appendEntries: {
          term: m.term, prevLogIndex: m.prevLogIndex, prevLogTerm: m.prevLogTerm, leaderCommit: m.leaderCommit,
          entries: m.entries.map(entryToProto),
        },
      };
    case 'AppendEntriesResponse':
      return {
        ...base,
        appendEntriesResponse: {
          term: m.term, success: m.success, matchIndex: m.matchIndex, conflictIndex: m.conflictIndex, conflictTerm: m.conflictTerm,
        },
      };
    case 'InstallSnapshot':
      return { ...base, installSnapshot: { term: m.term, lastIndex: m.lastIndex, lastTerm: m.lastTerm, data: m.data } };
    case 'InstallSnapshotResponse':
      return { ...base, installSnapshotResponse: { term: m.term, matchIndex: m.matchIndex } };
    case 'TimeoutNow':
      return { ...base, timeoutNow: { term: m.term } };
  }
}

/** The Raft message an envelope carries, undefined when it carries none or a malformed one. */
export function fromEnvelope(env: wire.RaftEnvelope__Output): RaftMessage | undefined {
  const from = env.from;
  switch (env.message) {
    case 'requestVote': {
      const m = env.requestVote!;
      return {
        type: 'RequestVote', from, term: m.term, preVote: m.preVote, lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm,
        ...(m.transfer ? { transfer: true } : {}),
      };
    }
    case 'requestVoteResponse': {
      const m = env.requestVoteResponse!;
      return { type: 'RequestVoteResponse', from, term: m.term, preVote: m.preVote, voteGranted: m.voteGranted };
    }
    case 'appendEntries': {
      const m = env.appendEntries!;
      const entries: LogEntry[] = [];
      for (const e of Array.isArray(m.entries) ? m.entries : []) {
        const entry = entryFromProto(e);
        if (!entry) return undefined;
        entries.push(entry);
      }
      return { type: 'AppendEntries', from, term: m.term, prevLogIndex: m.prevLogIndex, prevLogTerm: m.prevLogTerm, leaderCommit: m.leaderCommit, entries };
    }
    case 'appendEntriesResponse': {
      const m = env.appendEntriesResponse!;
      return {
        type: 'AppendEntriesResponse', from, term: m.term, success: m.success, matchIndex: m.matchIndex,
        conflictIndex: m.conflictIndex, conflictTerm: m.conflictTerm,
      };
    }
    case 'installSnapshot': {
      const m = env.installSnapshot!;
      return { type: 'InstallSnapshot', from, term: m.term, lastIndex: m.lastIndex, lastTerm: m.lastTerm, data: Buffer.isBuffer(m.data) ? m.data : EMPTY };
    }
    case 'installSnapshotResponse': {
      const m = env.installSnapshotResponse!;
      return { type: 'InstallSnapshotResponse', from, term: m.term, matchIndex: m.matchIndex };
    }
    case 'timeoutNow':
      return { type: 'TimeoutNow', from, term: env.timeoutNow!.term };
    default:
      return undefined;
  }
}
