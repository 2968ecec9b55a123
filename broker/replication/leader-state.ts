// What a partition's leader knows of its followers, and the rules it decides by (Kafka's Partition
// and Replica, 3.x): each follower's log end offset and when it was last caught up; the ISR as the
// controller committed it and the change proposed to it, if any; the high watermark. Pure: times
// come in as arguments, proposals go out as values; the caller sends them to the controller.
//
// - Caught up (Kafka's Replica.updateFetchState): a fetch at an offset >= the leader's log end at
//   that moment makes the follower caught up now; one >= the leader's log end at its previous fetch
//   makes it caught up as of that previous fetch.
// - Effective ISR (KIP-497's "maximal ISR"): the committed ISR, plus the members of a proposed
//   expansion at once; a proposed shrink counts only once committed. acks=all and the high watermark
//   go by it.
// - High watermark: the smallest log end offset over the effective ISR (the leader's own included),
//   never moving back while this node leads at this epoch. A follower whose log end is not known yet
//   (none fetched since this leadership began) holds it where it is.
// - Shrink: the ISR without the followers not caught up within replica.lag.time.max.ms. Expand: a
//   replica outside the ISR whose log end has reached the high watermark and the start of this
//   leader epoch, and that may join (its broker live, its log not offline). One proposal at a time.

export const UNKNOWN_OFFSET = -1;

export interface FollowerState {
  /** -1 until the follower's first fetch in this leadership. */
  readonly logEndOffset: number;
  /** 0 when never caught up (a follower outside the ISR at the start of the leadership). */
  readonly lastCaughtUpTimeMs: number;
  readonly lastFetchTimeMs: number;
  /** The leader's log end offset at that fetch, -1 before any. */
  readonly lastFetchLeaderLogEndOffset: number;
}

/** A follower's state at the start of a leadership: ISR members count as caught up now (Kafka's
 * resetReplicaState). */
export function initialFollowerState(inIsr: boolean, nowMs: number): FollowerState {
  return { logEndOffset: UNKNOWN_OFFSET, lastCaughtUpTimeMs: inIsr ? nowMs : 0, lastFetchTimeMs: 0, lastFetchLeaderLogEndOffset: UNKNOWN_OFFSET };
}

/** Kafka's Replica.updateFetchState for a fetch at fetchOffset. */
export function followerFetched(state: FollowerState, fetchOffset: number, leaderLogEnd: number, nowMs: number): FollowerState {
  let caughtUp = state.lastCaughtUpTimeMs;
  if (fetchOffset >= leaderLogEnd) caughtUp = Math.max(caughtUp, nowMs);
  else if (state.lastFetchLeaderLogEndOffset >= 0 && fetchOffset >= state.lastFetchLeaderLogEndOffset) caughtUp = Math.max(caughtUp, state.lastFetchTimeMs);
  return { logEndOffset: fetchOffset, lastCaughtUpTimeMs: caughtUp, lastFetchTimeMs: nowMs, lastFetchLeaderLogEndOffset: leaderLogEnd };
}

/** Kafka's ReplicaState.isCaughtUp: at the leader's log end, or caught up within the lag bound. */
export function isCaughtUp(state: FollowerState, leaderLogEnd: number, nowMs: number, lagTimeMaxMs: number): boolean {
  return state.logEndOffset === leaderLogEnd || nowMs - state.lastCaughtUpTimeMs <= lagTimeMaxMs;
}

/** The committed ISR with the members of a pending expansion (a pending shrink changes nothing yet). */
export function effectiveIsr(committed: readonly number[], proposed: readonly number[] | undefined): number[] {
  if (!proposed) return [...committed];
  return [...committed, ...proposed.filter((id) => !committed.includes(id))];
}

/** The smallest log end offset over the effective ISR, or `current` when that is not higher. */
export function highWatermarkFor(
  current: number, leaderId: number, leaderLogEnd: number, isr: readonly number[], followerLogEnd: (id: number) => number,
): number {
  let hw = leaderLogEnd;
  for (const id of isr) {
    if (id === leaderId) continue;
    hw = Math.min(hw, followerLogEnd(id));
  }
  return Math.max(current, hw);
}

export interface IsrProposal {
  readonly isr: readonly number[];
  /** The partition epoch the proposal is based on (the controller refuses it once stale). */
  readonly partitionEpoch: number;
  readonly kind: 'shrink' | 'expand';
  /** The controller refused it: wait for the metadata image to catch up before proposing again. */
  readonly refused: boolean;
}

export interface LeaderPartitionView {
  /** During a reassignment, the target and the replicas it removes. */
  readonly replicas: readonly number[];
  /** The replicas a running reassignment adds (not counted in the replication factor, as Kafka's
   * under-replicated count does not). */
  readonly addingReplicas?: readonly number[];
  readonly isr: readonly number[];
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/** One led partition's replication state (see the file's head). */
export class LeaderState {
  readonly leaderEpoch: number;
  /** The leader's log end when this leadership began: a joining follower must have reached it. */
  readonly epochStartOffset: number;
  private view: LeaderPartitionView;
  private readonly followers = new Map<number, FollowerState>();
  private proposal: IsrProposal | undefined;
  /** After a proposal that came to nothing: no new one before this time. */
  private nextProposalAtMs = 0;
  private hw: number;

  constructor(readonly leaderId: number, view: LeaderPartitionView, logEndOffset: number, highWatermark: number, nowMs: number) {
    this.leaderEpoch = view.leaderEpoch;
    this.epochStartOffset = logEndOffset;
    this.view = view;
    this.hw = highWatermark;
    for (const id of view.replicas) if (id !== leaderId) this.followers.set(id, initialFollowerState(view.isr.includes(id), nowMs));
  }

  get highWatermark(): number {
    return this.hw;
  }

  get committedIsr(): readonly number[] {
    return this.view.isr;
  }

  get replicas(): readonly number[] {
    return this.view.replicas;
  }

  get partitionEpoch(): number {
    return this.view.partitionEpoch;
  }

  /** The replication factor: the replicas, less those a running reassignment is still adding. */
  get replicationFactor(): number {
    return this.view.replicas.length - (this.view.addingReplicas?.length ?? 0);
  }

  get pendingProposal(): IsrProposal | undefined {
    return this.proposal;
  }

  /** The ISR acks=all and the high watermark go by. */
  effectiveIsr(): number[] {
    return effectiveIsr(this.view.isr, this.proposal && !this.proposal.refused ? this.proposal.isr : undefined);
  }

  follower(id: number): FollowerState | undefined {
    return this.followers.get(id);
  }

  /**
   * The committed state moved (the image applied an ISR change, or a partition epoch bump): a
   * proposal based on an older partition epoch is settled (committed or overtaken) either way.
   */
  applyCommitted(view: LeaderPartitionView, nowMs: number): void {
    if (view.leaderEpoch !== this.leaderEpoch) throw new RangeError(`leader epoch ${view.leaderEpoch} is not this leadership's ${this.leaderEpoch}`);
    this.view = view;
    if (this.proposal && view.partitionEpoch !== this.proposal.partitionEpoch) this.proposal = undefined;
    for (const id of view.replicas) if (id !== this.leaderId && !this.followers.has(id)) this.followers.set(id, initialFollowerState(false, nowMs));
    for (const id of [...this.followers.keys()]) if (!view.replicas.includes(id)) this.followers.delete(id);
  }

  /** Records a follower's fetch; false when the replica is not a follower of this partition. */
  followerFetched(id: number, fetchOffset: number, leaderLogEnd: number, nowMs: number): boolean {
    const state = this.followers.get(id);
    if (!state) return false;
    this.followers.set(id, followerFetched(state, fetchOffset, leaderLogEnd, nowMs));
    return true;
  }

  /** Moves the high watermark up to what the effective ISR holds; returns true when it moved. */
  updateHighWatermark(leaderLogEnd: number): boolean {
    const next = highWatermarkFor(this.hw, this.leaderId, leaderLogEnd, this.effectiveIsr(), (id) => this.followers.get(id)?.logEndOffset ?? UNKNOWN_OFFSET);
    if (next === this.hw) return false;
    this.hw = next;
    return true;
  }

  /** The ISR without the followers that have not caught up within lagTimeMaxMs, when that is
   * smaller than the committed ISR and no proposal is under way. */
  shrinkProposal(leaderLogEnd: number, nowMs: number, lagTimeMaxMs: number): IsrProposal | undefined {
    if (this.proposal || nowMs < this.nextProposalAtMs) return undefined;
    const isr = this.view.isr.filter((id) => {
      if (id === this.leaderId) return true;
      const state = this.followers.get(id);
      return state !== undefined && isCaughtUp(state, leaderLogEnd, nowMs, lagTimeMaxMs);
    });
    if (isr.length === this.view.isr.length) return undefined;
    return { isr, partitionEpoch: this.view.partitionEpoch, kind: 'shrink', refused: false };
  }

  /** The ISR with this follower added, when it may join now (see the file's head). */
  expandProposal(id: number, eligible: boolean, nowMs: number): IsrProposal | undefined {
    if (this.proposal || nowMs < this.nextProposalAtMs || this.view.isr.includes(id) || !eligible) return undefined;
    const state = this.followers.get(id);
    if (!state || state.logEndOffset < this.hw || state.logEndOffset < this.epochStartOffset) return undefined;
    // Replica order, as the controller keeps ISRs.
    const isr = this.view.replicas.filter((r) => r === id || this.view.isr.includes(r));
    return { isr, partitionEpoch: this.view.partitionEpoch, kind: 'expand', refused: false };
  }

  /** The proposal is on its way to the controller. */
  propose(proposal: IsrProposal): void {
    this.proposal = proposal;
  }

  /** The controller refused it (a stale partition epoch, or no longer the leader): the image will
   * catch up and settle it (applyCommitted). */
  refused(): void {
    if (this.proposal) this.proposal = { ...this.proposal, refused: true };
  }

  /** Settled without a change, or not made (the controller did not answer, or refused it for
   * good): back to the committed ISR; no new proposal before notBeforeMs. */
  withdraw(notBeforeMs = 0): void {
    this.proposal = undefined;
    this.nextProposalAtMs = notBeforeMs;
  }
}
