// The Raft consensus core and its storage: what the Quorum service wiring imports.
export { RaftNode } from './raft-node.js';
export { MemoryRaftStorage } from './raft-storage.js';
export type { RaftStorage } from './raft-storage.js';
export { FileRaftStorage } from './file-raft-storage.js';
export type { FileRaftStorageOptions, RaftStorageCut, RaftStorageRecovery } from './file-raft-storage.js';
export { isValidMessage } from './raft-message-validation.js';
export { RaftConfigError, RaftStorageError, RaftUsageError } from './raft-types.js';
export type {
  AppendEntries,
  AppendEntriesResponse,
  EntryKind,
  HardState,
  InstallSnapshot,
  InstallSnapshotResponse,
  LogEntry,
  OutgoingMessage,
  ProposeResult,
  RaftConfig,
  RaftMessage,
  RaftOutput,
  RaftRole,
  RaftSnapshot,
  RaftStatus,
  ReadCommittedResult,
  RequestVote,
  RequestVoteResponse,
  TimeoutNow,
  TransferResult,
} from './raft-types.js';
