// One partition this node leads, at one leader epoch: its log and its LeaderState, and what follows
// from them. Becoming leader (Kafka's makeLeader): the high watermark stops following the log end,
// the epoch starts at the log end in the leader-epoch cache, and the followers start from nothing
// known (ISR members counted as caught up now). Then: appends and follower fetches move the high
// watermark, which wakes waiting produces and consumer fetches; follower fetches may propose an ISR
// expansion, the periodic check a shrink. resign() ends the leadership: waiting produces answer
// NOT_LEADER_OR_FOLLOWER.
import { ErrorCode, StraitError } from '../../client/index.js';
import type { PartitionLog } from '../log/index.js';
import { awaitReplication, type ReplicationProgress } from './delayed-produce.js';
import { type FollowerState, type IsrProposal, LeaderState, type LeaderPartitionView } from './leader-state.js';
import type { Purgatory } from './purgatory.js';

export interface PartitionLeaderDeps {
  readonly nodeId: number;
  readonly lagTimeMaxMs: number;
  readonly now: () => number;
  /** acks=all produces waiting for the high watermark. */
  readonly producePurgatory: Purgatory;
  /** Follower fetches waiting for new records. */
  readonly replicaFetchPurgatory: Purgatory;
  /** The high watermark moved, or the leadership ended: consumer fetches waiting on the partition
   * may complete. */
  readonly wakeConsumers: (topic: string, partition: number) => void;
  /** Whether the replica may join the partition's ISR now (its broker registered, unfenced, not
   * shutting down, its log not offline there). */
  readonly isrEligible: (topic: string, partition: number, replicaId: number) => boolean;
  /** Sends a proposed ISR change to the controller. */
  readonly propose: (leader: PartitionLeader, proposal: IsrProposal) => void;
}

export class PartitionLeader implements ReplicationProgress {
  readonly state: LeaderState;
  readonly startedAtMs: number;
  private active = true;

  constructor(
    readonly topic: string, readonly topicId: string, readonly partition: number, readonly log: PartitionLog,
    view: LeaderPartitionView, private readonly deps: PartitionLeaderDeps,
  ) {
    log.highWatermarkFollowsLogEnd = false;
    log.assignEpochStartOffset(view.leaderEpoch, log.logEndOffset);
    this.startedAtMs = deps.now();
    this.state = new LeaderState(deps.nodeId, view, log.logEndOffset, log.highWatermark, this.startedAtMs);
    this.advanceHighWatermark();
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  get isActive(): boolean {
    return this.active;
  }

  leading(): boolean {
    return this.active;
  }

  highWatermark(): number {
    return this.log.highWatermark;
  }

  effectiveIsrSize(): number {
    return this.state.effectiveIsr().length;
  }

  /** acks=all: NOT_ENOUGH_REPLICAS, and nothing written, while the effective ISR is smaller than
   * min.insync.replicas. */
  checkEnoughReplicas(): void {
    const isr = this.state.effectiveIsr();
    const min = this.log.config.minInsyncReplicas;
    if (isr.length < min) {
      throw new StraitError(ErrorCode.NOT_ENOUGH_REPLICAS,
        `The ISR of ${this.topic}-${this.partition} is ${JSON.stringify(isr)}, fewer than min.insync.replicas=${min}`);
    }
  }

  /** After an append as leader: followers waiting for records may go on; a lone ISR commits it. */
  appended(): void {
    this.deps.replicaFetchPurgatory.wake(this.topic, this.partition);
    this.advanceHighWatermark();
  }

  /** acks=all: resolves with the produce's error code once the high watermark reaches requiredOffset
   * (see delayed-produce.ts). */
  awaitReplication(requiredOffset: number, timeoutMs: number): Promise<number> {
    return awaitReplication(this.deps.producePurgatory, this.topic, this.partition, this, requiredOffset, this.log.config.minInsyncReplicas, timeoutMs);
  }

  /** A follower fetched at fetchOffset (its log end) with no divergence; false when it is not a
   * replica of the partition. */
  followerFetched(replicaId: number, fetchOffset: number): boolean {
    const now = this.deps.now();
    if (!this.state.followerFetched(replicaId, fetchOffset, this.log.logEndOffset, now)) return false;
    this.advanceHighWatermark();
    const proposal = this.state.expandProposal(replicaId, this.deps.isrEligible(this.topic, this.partition, replicaId), now);
    if (proposal) this.deps.propose(this, proposal);
    return true;
  }

  /** The image's view of the partition at this leader epoch changed (ISR, partition epoch, replicas). */
  applyCommitted(view: LeaderPartitionView): void {
    this.state.applyCommitted(view, this.deps.now());
    this.advanceHighWatermark();
    // A shrink that committed can leave waiting produces below min.insync.replicas.
    this.deps.producePurgatory.wake(this.topic, this.partition);
  }

  /** The periodic check (every replica.lag.time.max.ms / 2): propose dropping lagging followers. */
  checkIsrShrink(): void {
    const proposal = this.state.shrinkProposal(this.log.logEndOffset, this.deps.now(), this.deps.lagTimeMaxMs);
    if (proposal) this.deps.propose(this, proposal);
  }

  /** A follower's state, for the lag metric. */
  follower(id: number): FollowerState | undefined {
    return this.state.follower(id);
  }

  /** This node no longer leads at this epoch: waiting produces and follower fetches answer now. */
  resign(): void {
    if (!this.active) return;
    this.active = false;
    this.deps.producePurgatory.wake(this.topic, this.partition);
    this.deps.replicaFetchPurgatory.wake(this.topic, this.partition);
    this.deps.wakeConsumers(this.topic, this.partition);
  }

  /** Moves the log's high watermark to what the effective ISR holds (never back) and tells those
   * waiting on it. */
  private advanceHighWatermark(): void {
    if (!this.active || !this.state.updateHighWatermark(this.log.logEndOffset)) return;
    const hw = this.state.highWatermark;
    if (hw <= this.log.highWatermark) return;
    this.log.highWatermark = hw;
    this.deps.producePurgatory.wake(this.topic, this.partition);
    this.deps.wakeConsumers(this.topic, this.partition);
  }
}
