// A peer's message is checked field by field before the core looks at it: a malformed one is dropped
// whole, so no half-read message can change state. Never throws, whatever the input's shape.
import type { LogEntry, RaftMessage } from './raft-types.js';

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTerm(value: unknown): value is number {
  return isIndex(value);
}

function isEntry(value: unknown): value is LogEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<LogEntry>;
  return (
    isIndex(entry.index) &&
    entry.index >= 1 &&
    isTerm(entry.term) &&
    entry.term >= 1 &&
    Buffer.isBuffer(entry.data) &&
    (entry.kind === 'data' || entry.kind === 'noop')
  );
}

/** Entries follow prevLogIndex without a gap, their terms never fall and never exceed the sender's. */
function entriesAreWellFormed(
  entries: unknown,
  prevLogIndex: number,
  prevLogTerm: number,
  term: number,
): boolean {
  if (!Array.isArray(entries)) return false;
  let lastTerm = prevLogTerm;
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    if (!isEntry(entry)) return false;
    if (entry.index !== prevLogIndex + 1 + i) return false;
    if (entry.term < lastTerm || entry.term > term) return false;
    lastTerm = entry.term;
  }
  return true;
}

/** True when `message` is a well-formed Raft message sent by `from`. */
export function isValidMessage(from: number, message: unknown): message is RaftMessage {
  try {
    return checkMessage(from, message);
  } catch {
    // An object whose getters throw is as malformed as one with missing fields.
    return false;
  }
}

function checkMessage(from: number, message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  if (m.from !== from || !isTerm(m.term) || m.term < 1) return false;
  const term = m.term;
  switch (m.type) {
    case 'RequestVote':
      return (
        typeof m.preVote === 'boolean' &&
        (m.transfer === undefined || typeof m.transfer === 'boolean') &&
        !(m.transfer === true && m.preVote) &&
        isIndex(m.lastLogIndex) &&
        isTerm(m.lastLogTerm) &&
        m.lastLogTerm <= term &&
        (m.lastLogIndex === 0) === (m.lastLogTerm === 0)
      );
    case 'RequestVoteResponse':
      return typeof m.preVote === 'boolean' && typeof m.voteGranted === 'boolean';
    case 'AppendEntries':
      return (
        isIndex(m.prevLogIndex) &&
        isTerm(m.prevLogTerm) &&
        m.prevLogTerm <= term &&
        (m.prevLogIndex === 0) === (m.prevLogTerm === 0) &&
        isIndex(m.leaderCommit) &&
        entriesAreWellFormed(m.entries, m.prevLogIndex, m.prevLogTerm, term)
      );
    case 'AppendEntriesResponse':
      return (
        typeof m.success === 'boolean' &&
        isIndex(m.matchIndex) &&
        isIndex(m.conflictIndex) &&
        isTerm(m.conflictTerm) &&
        (m.success || m.conflictIndex >= 1)
      );
    case 'InstallSnapshot':
      return (
        isIndex(m.lastIndex) &&
        m.lastIndex >= 1 &&
        isTerm(m.lastTerm) &&
        m.lastTerm >= 1 &&
        m.lastTerm <= term &&
        Buffer.isBuffer(m.data)
      );
    case 'InstallSnapshotResponse':
      return isIndex(m.matchIndex);
    case 'TimeoutNow':
      return true;
    default:
      return false;
  }
}
