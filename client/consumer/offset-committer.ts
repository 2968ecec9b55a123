// The consumer's commits: one at a time, in the order asked (an older auto-commit can never land
// after a newer commit and move the group back), with the member's current id and epoch (or none for
// an assign() consumer). Auto-commit (enable.auto.commit) happens in the application's call path, at
// most every auto.commit.interval.ms: when the application comes back for more records, what it was
// handed before is processed, which is Kafka's at-least-once rule.
import { ErrorCode, StraitError } from '../errors.js';
import type { GroupCoordinators } from '../groups/coordinator.js';
import { commitOffsets, type MemberIdentity, type OffsetToCommit } from '../groups/offsets.js';
import type { ConsumerConfig } from './consumer-config.js';
import { tpKey, type PartitionState } from './partition-state.js';

export class OffsetCommitter {
  private readonly coordinators: GroupCoordinators;
  private readonly config: ConsumerConfig;
  private readonly identity: () => MemberIdentity;
  private chain: Promise<void> = Promise.resolve();
  /** The last offset this consumer committed per partition, to skip unchanged ones in auto-commits. */
  private readonly lastCommitted = new Map<string, number>();
  private nextAutoCommitAt: number;
  /** The last auto-commit's failure, if the last one failed (Kafka logs it and carries on). */
  lastAutoCommitError: StraitError | undefined;

  constructor(coordinators: GroupCoordinators, config: ConsumerConfig, identity: () => MemberIdentity) {
    this.coordinators = coordinators;
    this.config = config;
    this.identity = identity;
    this.nextAutoCommitAt = Date.now() + config.autoCommitIntervalMs;
  }

  private get groupId(): string {
    const group = this.config.groupId;
    if (group === undefined) {
      throw new StraitError(ErrorCode.INVALID_GROUP_ID, 'To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration');
    }
    return group;
  }

  /** Commits these offsets after the commits asked for before; rejects with the commit's error. */
  commit(offsets: readonly OffsetToCommit[]): Promise<void> {
    const group = this.groupId;
    const run = this.chain.then(async () => {
      await commitOffsets(this.coordinators, group, this.identity, offsets, Date.now() + this.config.defaultApiTimeoutMs, this.config.requestTimeoutMs);
      for (const o of offsets) this.lastCommitted.set(tpKey(o.topic, o.partition), o.offset);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The consumed positions of these partitions, as offsets to commit (partitions without one left out). */
  consumedOffsets(states: Iterable<PartitionState>, onlyChanged = false): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const s of states) {
      if (s.consumed === undefined) continue;
      if (onlyChanged && this.lastCommitted.get(tpKey(s.topic, s.partition)) === s.consumed) continue;
      out.push({ topic: s.topic, partition: s.partition, offset: s.consumed, leaderEpoch: s.consumedLeaderEpoch });
    }
    return out;
  }

  autoCommitDue(now: number): boolean {
    return this.config.enableAutoCommit && now >= this.nextAutoCommitAt;
  }

  /** Starts an auto-commit of the consumed positions that moved; its failure is kept, not thrown. */
  autoCommit(states: Iterable<PartitionState>): void {
    this.nextAutoCommitAt = Date.now() + this.config.autoCommitIntervalMs;
    const offsets = this.consumedOffsets(states, true);
    if (offsets.length === 0) return;
    this.commit(offsets).then(
      () => (this.lastAutoCommitError = undefined),
      (err: unknown) => (this.lastAutoCommitError = err instanceof StraitError ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err))),
    );
  }

  /** Commits the consumed positions of these partitions now (before a revocation, on close). */
  async commitConsumed(states: Iterable<PartitionState>): Promise<void> {
    const offsets = this.consumedOffsets(states, true);
    if (offsets.length > 0) await this.commit(offsets);
  }

  /** A partition given up: what this consumer committed for it says nothing about the next owner's. */
  forget(state: PartitionState): void {
    this.lastCommitted.delete(tpKey(state.topic, state.partition));
  }

  /** Resolves once the commits asked for so far have settled. */
  settled(): Promise<void> {
    return this.chain;
  }
}
