// Log operations the core performs on its storage: reconciling a follower's log with the leader's,
// the backtracking hints both sides compute, and cutting batches for appends.
import type { RaftStorage } from './raft-storage.js';
import type { LogEntry } from './raft-types.js';

/** Appends what is new, truncating a conflicting suffix first. An entry already held with the same
 * term is kept, so a delayed duplicate append never cuts entries that arrived after it. */
export function mergeEntries(storage: RaftStorage, entries: readonly LogEntry[]): void {
  const lastIndex = storage.lastIndex();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.index <= lastIndex) {
      if (storage.termAt(entry.index) === entry.term) continue;
      storage.truncateFrom(entry.index);
    }
    storage.append(entries.slice(i));
    return;
  }
}

/** Follower side of fast backtracking: the first index of the run of `term` that ends at `index`,
 * never at or below `floor` (the commit index, below which logs agree). */
export function firstIndexOfTermRun(storage: RaftStorage, index: number, term: number, floor: number): number {
  let first = index;
  while (first - 1 > floor && storage.termAt(first - 1) === term) first--;
  return first;
}

/** Leader side of fast backtracking: its last entry of `term`, if it has one. */
export function lastIndexOfTerm(storage: RaftStorage, term: number): number | undefined {
  for (let i = storage.lastIndex(); i >= storage.firstIndex() - 1; i--) {
    const t = storage.termAt(i)!;
    if (t === term) return i;
    if (t < term) return undefined;
  }
  return undefined;
}

/** Entries from `next` on, at most maxEntries and maxBytes of data, but always at least one. */
export function appendBatch(storage: RaftStorage, next: number, maxEntries: number, maxBytes: number): LogEntry[] {
  const lastIndex = storage.lastIndex();
  if (next > lastIndex) return [];
  const entries = storage.entries(next, Math.min(lastIndex, next + maxEntries - 1));
  let bytes = 0;
  let count = 0;
  while (count < entries.length) {
    bytes += entries[count]!.data.length;
    if (count > 0 && bytes > maxBytes) break;
    count++;
  }
  return entries.slice(0, count);
}
