// The newest checkpoint of each (group, remote topic, partition), and MM2's rule for when a new one is
// written (MirrorCheckpointTask.checkpointIsMoreRecent): the first one; one whose upstream offset went
// back (the group rewound on the source: the checkpoint follows it back); one whose downstream offset
// went forward. Anything else, in particular a lower downstream offset for the same or a later upstream
// one (a translation store that lost history, after a restart or compaction), is not written: the
// checkpoints of a group that only moves forward never go backwards. Pure; loaded from the checkpoints
// topic at start so that a restart keeps them monotonic (KAFKA-15905).
import type { Checkpoint } from './internal-records.js';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class CheckpointLedger {
  private readonly groups = new Map<string, Map<string, Checkpoint>>();

  /** A checkpoint read back from the topic: it is the newest for its key (the topic is read in order). */
  load(checkpoint: Checkpoint): void {
    this.put(checkpoint);
  }

  /** Whether `next` is to be written, by MM2's rule above. */
  supersedes(next: Checkpoint): boolean {
    const last = this.get(next.group, next.topic, next.partition);
    if (!last) return true;
    if (next.upstream < last.upstream) return true;
    return next.downstream > last.downstream;
  }

  /** `next` was written. */
  record(next: Checkpoint): void {
    this.put(next);
  }

  get(group: string, topic: string, partition: number): Checkpoint | undefined {
    return this.groups.get(group)?.get(key(topic, partition));
  }

  /** The group's newest checkpoints, by remote topic and partition. */
  ofGroup(group: string): Checkpoint[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  private put(checkpoint: Checkpoint): void {
    let group = this.groups.get(checkpoint.group);
    if (!group) {
      group = new Map();
      this.groups.set(checkpoint.group, group);
    }
    group.set(key(checkpoint.topic, checkpoint.partition), checkpoint);
  }
}
