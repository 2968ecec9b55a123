// The data the Raft core exchanges with its storage, its transport and its state machine. Plain
// objects only: the wiring turns them into Quorum RPCs, the simulation passes them as they are.

export type EntryKind = 'data' | 'noop';

export interface LogEntry {
  index: number;
  term: number;
  data: Buffer;
  /** 'noop' marks the entry a new leader writes in its own term (Raft §8); state machines skip it. */
  kind: EntryKind;
}

export interface RaftSnapshot {
  lastIndex: number;
  lastTerm: number;
  data: Buffer;
}

/** Term and vote: written before any message that depends on them leaves the node. */
export interface HardState {
  term: number;
  votedFor: number | undefined;
}

/** Every message names its sender; receive() ignores a message whose `from` differs from the
 * transport's sender. */
export interface RequestVote {
  type: 'RequestVote';
  from: number;
  /** For a pre-vote, the term the candidate would campaign in (its term + 1); its own term is unchanged. */
  term: number;
  preVote: boolean;
  lastLogIndex: number;
  lastLogTerm: number;
  /** Set (never with preVote) on the election a leader asked for with TimeoutNow: voters that still
   * hear that leader vote anyway, since it is the leader that wants to go. */
  transfer?: boolean;
}

export interface RequestVoteResponse {
  type: 'RequestVoteResponse';
  from: number;
  /** For a granted pre-vote, the term that was asked for; otherwise the voter's term. */
  term: number;
  preVote: boolean;
  voteGranted: boolean;
}

export interface AppendEntries {
  type: 'AppendEntries';
  from: number;
  term: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}

export interface AppendEntriesResponse {
  type: 'AppendEntriesResponse';
  from: number;
  term: number;
  success: boolean;
  /** On success: the last index known to match the leader's log. */
  matchIndex: number;
  /** On failure: where the leader should retry (fast backtracking, thesis §5.3). */
  conflictIndex: number;
  /** On failure: the term of the follower's entry at prevLogIndex, 0 when it has none there. */
  conflictTerm: number;
}

export interface InstallSnapshot {
  type: 'InstallSnapshot';
  from: number;
  term: number;
  lastIndex: number;
  lastTerm: number;
  data: Buffer;
}

export interface InstallSnapshotResponse {
  type: 'InstallSnapshotResponse';
  from: number;
  term: number;
  /** The index the follower's log now matches the leader's up to. */
  matchIndex: number;
}

/** Leadership transfer (thesis §3.10): the leader has brought the receiver's log up to its own and
 * asks it to start an election now, without waiting for its timeout and without a pre-vote. */
export interface TimeoutNow {
  type: 'TimeoutNow';
  from: number;
  /** The leader's term; a receiver in another term ignores the message. */
  term: number;
}

export type RaftMessage =
  | RequestVote
  | RequestVoteResponse
  | AppendEntries
  | AppendEntriesResponse
  | InstallSnapshot
  | InstallSnapshotResponse
  | TimeoutNow;

export interface OutgoingMessage {
  to: number;
  message: RaftMessage;
}

export interface RaftOutput {
  messages: OutgoingMessage[];
  /** Entries newly committed, in index order, each exactly once per node lifetime (after a restart,
   * from the storage snapshot's lastIndex + 1 on). */
  committed: LogEntry[];
  /** A snapshot from the leader the state machine must load before applying `committed`. */
  snapshot?: RaftSnapshot;
  /** Set when the node's idea of the leader (id or term) changed during this call. */
  leaderChanged?: boolean;
}

export type RaftRole = 'leader' | 'candidate' | 'follower' | 'prevoting';

export interface RaftStatus {
  nodeId: number;
  role: RaftRole;
  term: number;
  votedFor: number | undefined;
  leaderId: number | undefined;
  commitIndex: number;
  /** The last index handed to the state machine (through `committed` or a snapshot). */
  lastApplied: number;
  lastLogIndex: number;
  lastLogTerm: number;
  /** The index of the storage snapshot, 0 when there is none. */
  snapshotIndex: number;
  /** On a leader handing its leadership over: the voter it is handing it to. */
  transferTarget: number | undefined;
}

export interface RaftConfig {
  nodeId: number;
  voters: readonly number[];
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatIntervalMs: number;
  maxEntriesPerAppend: number;
  maxBytesPerAppend: number;
}

export type ProposeResult =
  | { ok: true; firstIndex: number; lastIndex: number; output: RaftOutput }
  /** Not the leader, or a leader handing its leadership over (transferringTo set): try again once
   * the new leader is known. */
  | { ok: false; leaderId: number | undefined; transferringTo?: number };

export type TransferResult =
  | { ok: true; target: number; output: RaftOutput }
  | { ok: false; reason: string };

export type ReadCommittedResult = LogEntry[] | { snapshotNeeded: true };

export class RaftConfigError extends Error {
  override name = 'RaftConfigError';
}

/** A local caller (not a peer) asked for something the node cannot do; nothing was changed. */
export class RaftUsageError extends Error {
  override name = 'RaftUsageError';
}

/** A storage file is unreadable in a way that truncating a tail cannot fix. */
export class RaftStorageError extends Error {
  override name = 'RaftStorageError';
}
