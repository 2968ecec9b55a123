// A subscribed consumer's side of the group, run in the application's call path (poll, the
// iterators, commit, close) so that no listener runs and no partition changes hands while the
// application works on records it was handed (Kafka runs rebalance callbacks inside poll() for the
// same reason). The membership delivers assignments in the background; this applies them:
//   lost partitions (fenced): stop at once, run onPartitionsLost, no commit (they are someone else's);
//   revoked partitions: stopped as soon as the assignment arrives, then onPartitionsRevoked, then
//     their consumed positions committed (enable.auto.commit), then reported released;
//   new partitions: added, onPartitionsAssigned, then fetched from the committed offset (or
//     auto.offset.reset).
import { ErrorCode, StraitError } from '../errors.js';
import type { MemberIdentity } from '../groups/offsets.js';
import type { MembershipEvents } from './group-membership.js';
import type { OffsetCommitter } from './offset-committer.js';
import { PartitionState, tpKey, type TopicPartition } from './partition-state.js';
import { planReconciliation } from './reconciliation.js';
import type { Subscription } from './subscription.js';

/** Kafka's ConsumerRebalanceListener; each callback may be async and is awaited. */
export interface RebalanceListener {
  /** After each new assignment is applied, with the partitions it added (possibly none). */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Before partitions are given up (and, with auto-commit, before their positions are committed). */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions already someone else's (this member was fenced): nothing of theirs can be committed.
   * Default: onPartitionsRevoked, as in Kafka. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

/** What the session needs of a membership (GroupMembership; a stand-in in unit tests). */
export interface MembershipHandle {
  start(): void;
  identity(): MemberIdentity;
  /** Reports the owned partitions now: the acknowledgement of a reconciliation. */
  heartbeatNow(): void;
  leave(timeoutMs: number): Promise<void>;
  stop(): void;
}

export interface SessionDeps {
  states: Map<string, PartitionState>;
  enableAutoCommit: boolean;
  /** Bound of the leave. */
  requestTimeoutMs: number;
  committer: Pick<OffsetCommitter, 'commitConsumed' | 'forget'>;
  /** Creates the membership for a subscription; it reports through events and reads owned(). */
  membership: (subscription: Subscription, events: MembershipEvents, owned: () => TopicPartition[]) => MembershipHandle;
  /** Metadata for the topics of newly assigned partitions. */
  refreshMetadata: (topics: string[]) => void;
  /** Wakes a waiting poll: there is group work to do. */
  wake: () => void;
  /** Starts fetches for partitions that can take more. */
  kick: () => void;
}

export class GroupSession {
  private readonly deps: SessionDeps;
  private readonly listener: RebalanceListener;
  private subscription: Subscription;
  private membership: MembershipHandle;
  /** The latest assignment not applied yet. */
  private target: TopicPartition[] | undefined;
  private nextSubscription: Subscription | undefined;
  /** Partitions in the middle of their revocation: a newer assignment does not take them back. */
  private readonly revoking = new Set<PartitionState>();
  private fatal: StraitError | undefined;
  /** An assignment was applied since the member (re)joined. */
  private heardAssignment = false;
  /** Partitions were lost and their listener has not run yet. */
  private lostPending = false;
  private listenerError: unknown;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(deps: SessionDeps, subscription: Subscription, listener: RebalanceListener) {
    this.deps = deps;
    this.subscription = subscription;
    this.listener = listener;
    this.membership = this.newMembership(subscription);
    this.membership.start();
  }

  private newMembership(subscription: Subscription): MembershipHandle {
    return this.deps.membership(
      subscription,
      {
        onAssignment: (partitions) => this.onAssignment(partitions),
        onLost: () => this.onLost(),
        onFatal: (err) => {
          this.fatal = err;
          this.deps.wake();
        },
      },
      () => this.owned(),
    );
  }

  get currentSubscription(): Subscription {
    return this.nextSubscription ?? this.subscription;
  }

  identity(): MemberIdentity {
    return this.membership.identity();
  }

  /** The partitions this member holds (those being revoked included, lost ones not). */
  owned(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const s of this.deps.states.values()) if (s.release !== 'lose') out.push({ topic: s.topic, partition: s.partition });
    return out;
  }

  /** Whether poll has group work to do before handing out records. */
  get hasWork(): boolean {
    return this.lostPending || this.target !== undefined || this.nextSubscription !== undefined || this.fatal !== undefined || this.listenerError !== undefined;
  }

  private onAssignment(partitions: TopicPartition[]): void {
    if (this.closed) return;
    this.target = partitions;
    // Stop fetching and handing out what is to be revoked at once; the rest goes on untouched.
    const keys = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    for (const s of this.deps.states.values()) {
      if (s.release === 'lose' || this.revoking.has(s)) continue;
      s.release = keys.has(tpKey(s.topic, s.partition)) ? undefined : 'revoke';
    }
    this.deps.wake();
  }

  private onLost(): void {
    this.target = undefined;
    for (const s of this.deps.states.values()) s.release = 'lose';
    this.lostPending = true;
    this.heardAssignment = false;
    this.deps.wake();
  }

  /** Changes what this member subscribes to: everything is revoked, then it joins again. */
  resubscribe(subscription: Subscription): void {
    this.nextSubscription = subscription;
    for (const s of this.deps.states.values()) if (s.release === undefined) s.release = 'revoke';
    this.deps.wake();
  }

  /** Applies what the membership delivered; raises a fatal group error or a listener's error. */
  async reconcile(): Promise<void> {
    this.running ??= this.reconcileAll().finally(() => (this.running = undefined));
    await this.running;
    if (this.fatal) throw this.fatal;
    if (this.listenerError !== undefined) {
      const err = this.listenerError;
      this.listenerError = undefined;
      throw err;
    }
  }

  private async reconcileAll(): Promise<void> {
    for (;;) {
      await this.dropLost();
      if (this.closed || this.fatal) return;
      if (this.nextSubscription) {
        await this.rejoinWith(this.nextSubscription);
        continue;
      }
      const target = this.target;
      if (target === undefined) return;
      this.target = undefined;
      await this.apply(target);
    }
  }

  private async apply(target: TopicPartition[]): Promise<void> {
    const { states } = this.deps;
    const plan = planReconciliation(this.owned(), target);
    if (plan.revoke.length > 0) {
      await this.revoke(plan.revoke.map((tp) => states.get(tpKey(tp.topic, tp.partition))!));
      if (this.fatal || this.closed) return;
    }
    for (const tp of plan.assign) states.set(tpKey(tp.topic, tp.partition), new PartitionState(tp.topic, tp.partition));
    if (plan.assign.length > 0) this.deps.refreshMetadata([...new Set(plan.assign.map((tp) => tp.topic))]);
    // Kafka calls onPartitionsAssigned on every change, and once (maybe empty) on joining.
    if (plan.assign.length > 0 || plan.revoke.length > 0 || !this.heardAssignment) await this.call('onPartitionsAssigned', plan.assign);
    this.heardAssignment = true;
    // The acknowledgement: the coordinator may now hand what we released to others.
    this.membership.heartbeatNow();
    this.deps.kick();
  }

  /** Revocation: listener, commit (auto-commit), then the partitions are gone from this consumer. */
  private async revoke(states: PartitionState[]): Promise<void> {
    for (const s of states) {
      s.release = 'revoke';
      this.revoking.add(s);
    }
    try {
      await this.call('onPartitionsRevoked', states.map((s) => ({ topic: s.topic, partition: s.partition })));
      if (this.deps.enableAutoCommit) {
        // A failed commit does not hold the revocation up (Kafka logs it and goes on): the next owner
        // starts from the last commit that made it, so the records after it are consumed twice.
        await this.deps.committer.commitConsumed(states).catch(() => undefined);
      }
    } finally {
      for (const s of states) {
        this.revoking.delete(s);
        this.detach(s);
      }
    }
  }

  private detach(s: PartitionState): void {
    const key = tpKey(s.topic, s.partition);
    if (this.deps.states.get(key) === s) this.deps.states.delete(key);
    s.detached = true;
    this.deps.committer.forget(s);
  }

  private async dropLost(): Promise<void> {
    this.lostPending = false;
    const lost = [...this.deps.states.values()].filter((s) => s.release === 'lose');
    if (lost.length === 0) return;
    for (const s of lost) this.detach(s);
    await this.call('onPartitionsLost', lost.map((s) => ({ topic: s.topic, partition: s.partition })));
  }

  private async rejoinWith(subscription: Subscription): Promise<void> {
    this.nextSubscription = undefined;
    await this.revoke([...this.deps.states.values()].filter((s) => s.release !== 'lose'));
    await this.membership.leave(this.deps.requestTimeoutMs);
    this.target = undefined;
    this.subscription = subscription;
    this.heardAssignment = false;
    this.membership = this.newMembership(subscription);
    this.membership.start();
  }

  private async call(name: keyof RebalanceListener, partitions: TopicPartition[]): Promise<void> {
    if (name !== 'onPartitionsAssigned' && partitions.length === 0) return;
    const fn = this.listener[name] ?? (name === 'onPartitionsLost' ? this.listener.onPartitionsRevoked : undefined);
    if (!fn) return;
    try {
      await fn.call(this.listener, partitions);
    } catch (err) {
      // Kafka finishes the rebalance and raises the listener's error from poll afterwards.
      this.listenerError ??= err instanceof Error ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err));
    }
  }

  /**
   * Leaves the group: revokes every partition (listener, commit with auto-commit), then leaves (a
   * static member keeps its assignment for its session). Used by unsubscribe() and close().
   */
  async leave(): Promise<void> {
    await this.running?.catch(() => undefined);
    this.closed = true;
    this.nextSubscription = undefined;
    this.target = undefined;
    await this.dropLost();
    if (!this.fatal) await this.revoke([...this.deps.states.values()]);
    for (const s of [...this.deps.states.values()]) this.detach(s);
    await this.membership.leave(this.deps.requestTimeoutMs);
  }

  /** Stops without revoking or leaving (the consumer is being torn down after a fatal error). */
  stop(): void {
    this.closed = true;
    this.membership.stop();
  }
}
