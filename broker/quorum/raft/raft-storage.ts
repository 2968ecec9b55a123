// The durable state of one Raft voter (thesis §3.8): term and vote, the log, the latest snapshot.
// Synchronous on purpose: the core calls it before it returns messages that depend on what was
// written, so "persisted before sent" holds by construction.
import type { HardState, LogEntry, RaftSnapshot } from './raft-types.js';
import { RaftUsageError } from './raft-types.js';

export interface RaftStorage {
  hardState(): HardState;
  saveHardState(state: HardState): void;
  /** The latest snapshot, undefined when the log was never compacted. */
  snapshot(): RaftSnapshot | undefined;
  /** The first index still held as an entry: snapshot lastIndex + 1, or 1. */
  firstIndex(): number;
  /** The last index held (the snapshot's lastIndex when no entry follows it; 0 when empty). */
  lastIndex(): number;
  /** 0 for index 0, the snapshot's lastTerm at its lastIndex, undefined when compacted away or beyond the end. */
  termAt(index: number): number | undefined;
  /** Entries from..to inclusive; both within [firstIndex, lastIndex]. */
  entries(from: number, to: number): LogEntry[];
  /** Entries must start at lastIndex + 1 and be contiguous. */
  append(entries: readonly LogEntry[]): void;
  /** Drops the entry at index and every later one; index >= firstIndex. */
  truncateFrom(index: number): void;
  /** Keeps entries after lastIndex when the log holds lastIndex with lastTerm, otherwise drops all. */
  saveSnapshot(snapshot: RaftSnapshot): void;
}

/** Shared argument checks so both implementations refuse the same misuse the same way. */
export function checkAppend(storage: RaftStorage, entries: readonly LogEntry[]): void {
  let expected = storage.lastIndex() + 1;
  for (const entry of entries) {
    if (entry.index !== expected) {
      throw new RaftUsageError(`append expected index ${expected}, got ${entry.index}`);
    }
    expected++;
  }
}

export function checkRange(storage: Pick<RaftStorage, 'firstIndex' | 'lastIndex'>, from: number, to: number): void {
  if (from < storage.firstIndex() || to > storage.lastIndex() || from > to + 1) {
    throw new RaftUsageError(
      `entries ${from}..${to} outside ${storage.firstIndex()}..${storage.lastIndex()}`,
    );
  }
}

/** The read side both storages share: the latest snapshot and the entries after it, in memory. */
export abstract class SnapshotAndLog {
  protected snap: RaftSnapshot | undefined;
  /** log[i] has index snapshotIndex + 1 + i. */
  protected log: LogEntry[] = [];

  snapshot(): RaftSnapshot | undefined {
    return this.snap;
  }

  firstIndex(): number {
    return (this.snap?.lastIndex ?? 0) + 1;
  }

  lastIndex(): number {
    return (this.snap?.lastIndex ?? 0) + this.log.length;
  }

  termAt(index: number): number | undefined {
    const base = this.snap?.lastIndex ?? 0;
    if (index === base) return this.snap?.lastTerm ?? 0;
    if (index < base || index > base + this.log.length) return undefined;
    return this.log[index - base - 1]!.term;
  }

  entries(from: number, to: number): LogEntry[] {
    checkRange(this, from, to);
    const base = this.firstIndex();
    return this.log.slice(from - base, to - base + 1);
  }
}

/** In-memory storage for tests and the simulation. Every call is "durable" when it returns, so
 * crash() hands a restarted node exactly what a real disk would hold. */
export class MemoryRaftStorage extends SnapshotAndLog implements RaftStorage {
  private hard: HardState = { term: 0, votedFor: undefined };

  hardState(): HardState {
    return { ...this.hard };
  }

  saveHardState(state: HardState): void {
    this.hard = { ...state };
  }

  append(entries: readonly LogEntry[]): void {
    checkAppend(this, entries);
    for (const entry of entries) this.log.push(entry);
  }

  truncateFrom(index: number): void {
    if (index < this.firstIndex()) {
      throw new RaftUsageError(`truncate at ${index} below first index ${this.firstIndex()}`);
    }
    this.log.length = Math.min(this.log.length, index - this.firstIndex());
  }

  saveSnapshot(snapshot: RaftSnapshot): void {
    const keep = this.termAt(snapshot.lastIndex) === snapshot.lastTerm;
    const rest = keep ? this.log.slice(snapshot.lastIndex - this.firstIndex() + 1) : [];
    this.snap = snapshot;
    this.log = rest;
  }

  /** What a node restarted after a crash finds: everything written so far, nothing volatile. */
  crash(): MemoryRaftStorage {
    const copy = new MemoryRaftStorage();
    copy.hard = { ...this.hard };
    copy.snap = this.snap;
    copy.log = this.log.slice();
    return copy;
  }
}
