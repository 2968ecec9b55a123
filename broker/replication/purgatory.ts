// Delayed operations (Kafka's DelayedOperationPurgatory), keyed by the partitions they wait on: a
// fetch that found fewer than min_bytes (consumers and followers), a produce with acks=all waiting
// for its high watermark. Each waits until something that happens to one of its partitions (an
// append, a high watermark that moves, a change of leader) may complete it, or until its time is up.
// A wake-up only tries the operations watching that partition.

export interface DelayedOperation {
  /** Called when a watched partition may have what it waits for; returns true when it completed. */
  tryComplete(): boolean;
  /** Called once when the wait ends by timeout or shutdown (not after tryComplete returned true). */
  expire(): void;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

interface Entry {
  op: DelayedOperation;
  keys: string[];
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

export class Purgatory {
  private readonly watchers = new Map<string, Set<Entry>>();
  private readonly entries = new Set<Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** Parks op until it completes or waitMs passes; returns a function that cancels the wait. */
  watch(op: DelayedOperation, partitions: Iterable<{ topic: string; partition: number }>, waitMs: number): () => void {
    const entry: Entry = { op, keys: [], timer: undefined, done: false };
    for (const { topic, partition } of partitions) {
      const key = keyOf(topic, partition);
      entry.keys.push(key);
      let set = this.watchers.get(key);
      if (!set) this.watchers.set(key, (set = new Set()));
      set.add(entry);
    }
    this.entries.add(entry);
    entry.timer = setTimeout(() => this.finish(entry, true), Math.max(0, waitMs));
    return () => this.finish(entry, false);
  }

  /** Tries the operations waiting on this partition. */
  wake(topic: string, partition: number): void {
    const set = this.watchers.get(keyOf(topic, partition));
    if (!set) return;
    for (const entry of [...set]) {
      if (entry.done) continue;
      let completed: boolean;
      try {
        completed = entry.op.tryComplete();
      } catch {
        completed = false;
        this.finish(entry, true);
      }
      if (completed) this.finish(entry, false);
    }
  }

  /** Ends every wait now (shutdown): each op answers with what it has. */
  expireAll(): void {
    for (const entry of [...this.entries]) this.finish(entry, true);
  }

  private finish(entry: Entry, expire: boolean): void {
    if (entry.done) return;
    entry.done = true;
    if (entry.timer) clearTimeout(entry.timer);
    this.entries.delete(entry);
    for (const key of entry.keys) {
      const set = this.watchers.get(key);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) this.watchers.delete(key);
    }
    if (expire) entry.op.expire();
  }
}
