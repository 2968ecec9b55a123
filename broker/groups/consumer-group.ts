// One consumer group's membership and assignment (KIP-848's model), as a pure state machine: no
// I/O, no clock of its own (the caller passes `now`), no timers. The coordinator's shell
// (coordinator-partition.ts) feeds it members' joins, heartbeats and leaves, session timeouts and
// metadata changes, persists its state after each change and tells members what changed.
//
// The group epoch moves on any change of membership, of a subscription, or of the subscribed
// topics (see group-subscriptions.ts). When it is past the assignment epoch, the group's assignor
// computes a new target for every member at once; each member then reconciles toward its target
// cooperatively (reconciliation.ts), so a partition is never owned by two members.
//
// Every operation checks its input before it changes anything: a refused request (a StraitError
// with Kafka's code) leaves the group as it was.
import { ErrorCode, StraitError } from '../../client/index.js';
import {
  EMPTY_ASSIGNMENT, isSubset, minus, partitionsOf, tpKey, union, type Assignment,
} from './assignment.js';
import { ASSIGNORS, isAssignorName } from './assignor.js';
import { compileSubscriptionRegex, resolvedTopics, subscriptionFingerprint, type TopicsView } from './group-subscriptions.js';
import { acknowledgeRevocation, reconcile, type MemberAssignmentState } from './reconciliation.js';

/** A member's leave for good (Kafka's LEAVE_GROUP_MEMBER_EPOCH). */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
/** A static member stepping away for a restart: it keeps its assignment for its session. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

export interface GroupMember extends MemberAssignmentState {
  readonly memberId: string;
  /** group.instance.id of a static member. */
  readonly instanceId: string | undefined;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rackId: string;
  /** Sorted, no repeats. */
  readonly subscribedTopicNames: readonly string[];
  /** '' when it subscribes by names. */
  readonly subscribedTopicRegex: string;
  /** The server assignor it prefers; '' for none. */
  readonly serverAssignor: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
}

/** The broker's rules for members (group.consumer.* keys). */
export interface GroupRules {
  /** Assignors members may name; the first is the default. */
  readonly assignors: readonly string[];
  readonly maxSize: number;
  readonly sessionTimeoutMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** A join without rebalance_timeout_ms gets this (Kafka's max.poll.interval.ms default). */
  readonly defaultRebalanceTimeoutMs: number;
}

export interface GroupContext {
  readonly now: number;
  readonly topics: TopicsView;
  readonly rules: GroupRules;
  /** A new member id (the coordinator chooses ids, as Kafka 3.7 does). */
  newMemberId(): string;
}

/** A member's join (or its rejoin on a new stream, with the epoch it had). */
export interface JoinRequest {
  readonly memberId: string;
  readonly instanceId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rackId: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string;
  readonly assignor: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly memberEpoch: number;
  readonly owned: Assignment;
}

/** What an operation did, for the shell: whom it concerns, whether a new target was computed. */
export interface GroupChange {
  /** The member the operation was about (for a join: its id, perhaps new). */
  readonly memberId: string;
  /** A new target assignment was computed (a rebalance). */
  readonly rebalanced: boolean;
  /** Members that left the group. */
  readonly removed: readonly string[];
}

export type GroupStateName = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

/** The persistent part of a group (what its record in __consumer_offsets holds). */
export interface GroupSnapshot {
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly subscriptionFingerprint: string;
  /** When the group last became empty; undefined while it has members (or never had any). */
  readonly emptySinceMs: number | undefined;
  readonly members: ReadonlyMap<string, GroupMember>;
  readonly target: ReadonlyMap<string, Assignment>;
}

const fail = (code: number, message: string): never => {
  throw new StraitError(code, message);
};

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  subscriptionFingerprint = '';
  emptySinceMs: number | undefined;
  members = new Map<string, GroupMember>();
  target = new Map<string, Assignment>();

  constructor(readonly groupId: string, from?: GroupSnapshot) {
    if (from) this.restore(from);
  }

  /** The persistent state now (shares the immutable members; cheap). */
  snapshot(): GroupSnapshot {
    return {
      groupEpoch: this.groupEpoch, assignmentEpoch: this.assignmentEpoch, subscriptionFingerprint: this.subscriptionFingerprint,
      emptySinceMs: this.emptySinceMs, members: new Map(this.members), target: new Map(this.target),
    };
  }

  /** Back to a snapshot (a change whose record could not be written is undone). */
  restore(s: GroupSnapshot): void {
    this.groupEpoch = s.groupEpoch;
    this.assignmentEpoch = s.assignmentEpoch;
    this.subscriptionFingerprint = s.subscriptionFingerprint;
    this.emptySinceMs = s.emptySinceMs;
    this.members = new Map(s.members);
    this.target = new Map(s.target);
  }

  /** Kafka's consumer group states. */
  state(): GroupStateName {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (m.status !== 'stable' || m.memberEpoch !== this.assignmentEpoch) return 'Reconciling';
    return 'Stable';
  }

  /** The assignor most members prefer; the configured default when none prefers one (ties: config order). */
  assignorName(rules: GroupRules): string {
    const votes = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor !== '') votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best = rules.assignors[0]!;
    let most = 0;
    for (const name of rules.assignors) {
      const n = votes.get(name) ?? 0;
      if (n > most) [best, most] = [name, n];
    }
    return best;
  }

  member(memberId: string): GroupMember | undefined {
    return this.members.get(memberId);
  }

  staticMember(instanceId: string): GroupMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m;
    return undefined;
  }

  /** Partitions in the member's target it does not have yet (their owner has not released them). */
  pendingFor(memberId: string): Assignment {
    const m = this.members.get(memberId);
    return m ? minus(this.target.get(memberId) ?? EMPTY_ASSIGNMENT, m.assigned) : EMPTY_ASSIGNMENT;
  }

  /** Whether any member subscribes to the topic (OffsetDelete refuses such topics' offsets). */
  isSubscribedTo(topic: string, topics: TopicsView): boolean {
    for (const m of this.members.values()) {
      if (m.subscribedTopicNames.includes(topic)) return true;
      if (m.subscribedTopicRegex !== '' && resolvedTopics(m, topics).has(topic)) return true;
    }
    return false;
  }

  /**
   * A join: epoch 0 for a new member (or one starting over, or a static member replacing its
   * previous instance), the epoch it had for a rejoin on a new stream. Kafka's checks, in order.
   */
  join(req: JoinRequest, ctx: GroupContext): GroupChange {
    const { rules } = ctx;
    if (!Number.isInteger(req.memberEpoch) || req.memberEpoch < 0) fail(ErrorCode.INVALID_REQUEST, `a join carries member epoch 0 or the epoch it had, not ${req.memberEpoch}`);
    if (req.subscribedTopicNames.length > 0 && req.subscribedTopicRegex !== '') fail(ErrorCode.INVALID_REQUEST, 'subscribe to topic names or to a regex, not both');
    if (req.subscribedTopicRegex !== '') compileSubscriptionRegex(req.subscribedTopicRegex);
    if (req.assignor !== '' && (!isAssignorName(req.assignor) || !rules.assignors.includes(req.assignor))) {
      fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `assignor ${JSON.stringify(req.assignor)} is not one of ${rules.assignors.join(', ')}`);
    }
    const sessionTimeoutMs = req.sessionTimeoutMs === 0 ? rules.sessionTimeoutMs : req.sessionTimeoutMs;
    if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs < rules.minSessionTimeoutMs || sessionTimeoutMs > rules.maxSessionTimeoutMs) {
      fail(ErrorCode.INVALID_SESSION_TIMEOUT,
        `session.timeout.ms ${req.sessionTimeoutMs} is outside [${rules.minSessionTimeoutMs}, ${rules.maxSessionTimeoutMs}] (group.consumer.min/max.session.timeout.ms)`);
    }
    if (!Number.isInteger(req.rebalanceTimeoutMs) || req.rebalanceTimeoutMs < 0) fail(ErrorCode.INVALID_REQUEST, `rebalance timeout ${req.rebalanceTimeoutMs} is negative`);
    const rebalanceTimeoutMs = req.rebalanceTimeoutMs === 0 ? rules.defaultRebalanceTimeoutMs : req.rebalanceTimeoutMs;
    const instanceId = req.instanceId === '' ? undefined : req.instanceId;
    const subscription = {
      subscribedTopicNames: [...new Set(req.subscribedTopicNames)].sort(), subscribedTopicRegex: req.subscribedTopicRegex,
    };
    const details = {
      instanceId, clientId: req.clientId, clientHost: req.clientHost, rackId: req.rackId, ...subscription,
      serverAssignor: req.assignor, sessionTimeoutMs, rebalanceTimeoutMs,
    };
    const fresh = (memberId: string): GroupMember => ({
      memberId, ...details, memberEpoch: 0, previousMemberEpoch: 0, status: 'stable', assigned: EMPTY_ASSIGNMENT, pendingRevocation: EMPTY_ASSIGNMENT,
    });
    let member: GroupMember;
    let bump: boolean;
    if (req.memberEpoch === 0) {
      if (subscription.subscribedTopicNames.length === 0 && subscription.subscribedTopicRegex === '') {
        fail(ErrorCode.INVALID_REQUEST, 'a joining member subscribes to topic names or to a regex');
      }
      const previous = instanceId !== undefined ? this.staticMember(instanceId) : undefined;
      const known = req.memberId !== '' ? this.members.get(req.memberId) : undefined;
      if (previous && previous.memberId !== req.memberId) {
        // Kafka: a static member rejoining under a new id replaces its previous instance only once
        // that one has stepped away (left with epoch -2); while it is live, the newcomer waits.
        if (previous.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
          fail(ErrorCode.UNRELEASED_INSTANCE_ID, `instance id ${instanceId} is still used by member ${previous.memberId}; it must leave first`);
        }
        if (known) fail(ErrorCode.INVALID_REQUEST, `member id ${req.memberId} belongs to another member of the group`);
        member = { ...fresh(req.memberId === '' ? ctx.newMemberId() : req.memberId), assigned: previous.assigned };
        bump = !sameSubscription(previous, member);
        this.members.delete(previous.memberId);
        const target = this.target.get(previous.memberId);
        this.target.delete(previous.memberId);
        if (target) this.target.set(member.memberId, target);
      } else if (known) {
        if (known.instanceId !== instanceId) fail(ErrorCode.FENCED_INSTANCE_ID, `member ${known.memberId} has instance id ${known.instanceId ?? '(none)'}, not ${instanceId ?? '(none)'}`);
        // A known member starting over with epoch 0 owns nothing now: what it had is free.
        member = fresh(known.memberId);
        bump = !sameSubscription(known, member);
      } else {
        if (this.members.size >= rules.maxSize) fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `group ${this.groupId} has reached its max size of ${rules.maxSize} members`);
        member = fresh(req.memberId === '' ? ctx.newMemberId() : req.memberId);
        bump = true;
      }
    } else {
      const known = this.returningStaticMember(req.memberId, instanceId, req.memberEpoch, req.owned)
        ?? this.checkMember(req.memberId, instanceId, req.memberEpoch, req.owned);
      member = { ...known, ...details };
      bump = !sameSubscription(known, member);
    }
    this.members.set(member.memberId, member);
    return this.settle(member.memberId, req.owned, ctx, { bump, checkTopics: true, removed: [] });
  }

  /** A heartbeat: the member's epoch checked, its owned partitions taken as its word on revocations. */
  heartbeat(memberId: string, memberEpoch: number, owned: Assignment, ctx: GroupContext): GroupChange {
    const member = this.members.get(memberId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${memberId} is not in group ${this.groupId}`);
    this.checkMember(memberId, member.instanceId, memberEpoch, owned);
    return this.settle(memberId, owned, ctx, { bump: false, checkTopics: false, removed: [] });
  }

  /** A leave: -1 for good; -2 for a static member stepping away (it keeps its assignment until its session ends). */
  leave(memberId: string, memberEpoch: number, ctx: GroupContext): GroupChange {
    const member = this.members.get(memberId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${memberId} is not in group ${this.groupId}`);
    if (memberEpoch !== LEAVE_GROUP_MEMBER_EPOCH && memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      fail(ErrorCode.INVALID_REQUEST, `a leave carries member epoch -1 or -2, not ${memberEpoch}`);
    }
    if (memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH && member.instanceId !== undefined) return this.stepAway(memberId);
    return this.remove(memberId, ctx);
  }

  /** A static member steps away (its stream closed, or it left with -2): it keeps what it has. */
  stepAway(memberId: string): GroupChange {
    const member = this.members.get(memberId);
    if (member && member.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      this.members.set(memberId, { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, previousMemberEpoch: member.memberEpoch });
    }
    return { memberId, rebalanced: false, removed: [] };
  }

  /** The member leaves the group (it left, its session or rebalance timeout passed, its stream closed). */
  remove(memberId: string, ctx: GroupContext): GroupChange {
    if (!this.members.has(memberId)) return { memberId, rebalanced: false, removed: [] };
    this.members.delete(memberId);
    this.target.delete(memberId);
    return this.settle(memberId, undefined, ctx, { bump: true, checkTopics: true, removed: [memberId] });
  }

  /** The topics changed (the metadata image): a new target if what the members subscribe to resolves differently. */
  refreshTopics(ctx: GroupContext): GroupChange {
    return this.settle('', undefined, ctx, { bump: false, checkTopics: true, removed: [] });
  }

  /**
   * OffsetCommit's check (Kafka's ConsumerGroup.validateOffsetCommit): a commit outside membership
   * (epoch < 0) only while the group has no members; else the member must exist and name its
   * current epoch (STALE_MEMBER_EPOCH for an older one, FENCED_MEMBER_EPOCH for a newer one).
   */
  checkOffsetCommit(memberId: string, memberEpoch: number): void {
    if (memberEpoch < 0 && this.members.size === 0) return;
    const member = this.members.get(memberId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${JSON.stringify(memberId)} is not in group ${this.groupId}`);
    if (memberEpoch > member.memberEpoch) fail(ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${memberEpoch} is newer than ${member.memberEpoch}`);
    if (memberEpoch < member.memberEpoch) fail(ErrorCode.STALE_MEMBER_EPOCH, `member epoch ${memberEpoch} is older than ${member.memberEpoch}`);
  }

  /** OffsetFetch's check for a member (KIP-848): it must exist at that epoch. */
  checkOffsetFetch(memberId: string, memberEpoch: number): void {
    const member = this.members.get(memberId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${JSON.stringify(memberId)} is not in group ${this.groupId}`);
    if (memberEpoch !== member.memberEpoch) fail(ErrorCode.STALE_MEMBER_EPOCH, `member epoch ${memberEpoch} is not the current ${member.memberEpoch}`);
  }

  /**
   * Kafka's throwIfMemberEpochIsInvalid, plus the static member checks: the member must be known,
   * be the holder of its instance id, and send its epoch, or the previous one when what it owns is
   * within its assignment (an answer it has not seen yet moved it on).
   */
  private checkMember(memberId: string, instanceId: string | undefined, memberEpoch: number, owned: Assignment): GroupMember {
    if (instanceId !== undefined) {
      const holder = this.staticMember(instanceId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `no member of group ${this.groupId} has instance id ${instanceId}`);
      if (holder.memberId !== memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `instance id ${instanceId} now belongs to member ${holder.memberId}, not ${memberId}`);
    }
    const member = this.members.get(memberId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${memberId} is not in group ${this.groupId}`);
    if (member.instanceId !== instanceId) fail(ErrorCode.FENCED_INSTANCE_ID, `member ${memberId} has instance id ${member.instanceId ?? '(none)'}, not ${instanceId ?? '(none)'}`);
    if (memberEpoch > member.memberEpoch) fail(ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${memberEpoch} is newer than ${member.memberEpoch}`);
    if (memberEpoch < member.memberEpoch && (memberEpoch !== member.previousMemberEpoch || !isSubset(owned, member.assigned))) {
      fail(ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${memberEpoch} is older than ${member.memberEpoch}`);
    }
    return member;
  }

  /**
   * A static member whose stream closed stepped away (epoch -2) keeping what it had. The same member
   * back on a new stream, with the epoch it had and owning no more than it held, takes up where it
   * was (as a dynamic member reconnecting to a coordinator that still knows it does); undefined for
   * any other join, which checkMember judges. (Kafka has no such case: a member's connection
   * closing does not end or pause its membership there.)
   */
  private returningStaticMember(memberId: string, instanceId: string | undefined, memberEpoch: number, owned: Assignment): GroupMember | undefined {
    const away = this.members.get(memberId);
    if (!away || instanceId === undefined || away.instanceId !== instanceId || away.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) return undefined;
    if (memberEpoch !== away.previousMemberEpoch || !isSubset(owned, union(away.assigned, away.pendingRevocation))) return undefined;
    return { ...away, memberEpoch: away.previousMemberEpoch };
  }

  /**
   * After any change: the epoch moves if membership or the resolved subscriptions changed, a new
   * target is computed if the epoch passed the assignment epoch, the member's report of what it
   * owns settles its revocation, and every member reconciles toward its target.
   */
  private settle(memberId: string, owned: Assignment | undefined, ctx: GroupContext, how: { bump: boolean; checkTopics: boolean; removed: string[] }): GroupChange {
    let bump = how.bump;
    if (how.checkTopics) {
      const fingerprint = subscriptionFingerprint(this.members.values(), ctx.topics);
      if (fingerprint !== this.subscriptionFingerprint) {
        this.subscriptionFingerprint = fingerprint;
        if (this.members.size > 0) bump = true;
      }
    }
    if (bump) this.groupEpoch++;
    let rebalanced = false;
    if (this.groupEpoch > this.assignmentEpoch) {
      this.computeTarget(ctx);
      rebalanced = true;
    }
    const owners = this.owners();
    if (owned !== undefined) {
      const m = this.members.get(memberId);
      if (m) this.replace(m, acknowledgeRevocation(m, owned, this.assignmentEpoch, this.target.get(memberId) ?? EMPTY_ASSIGNMENT, otherOwner(owners, memberId)), owners);
    }
    this.reconcileAll(owners);
    if (this.members.size === 0) this.emptySinceMs ??= ctx.now;
    else this.emptySinceMs = undefined;
    return { memberId, rebalanced, removed: how.removed };
  }

  private computeTarget(ctx: GroupContext): void {
    const assignor = ASSIGNORS[this.assignorName(ctx.rules)]!;
    const members = [...this.members.values()].map((m) => ({
      memberId: m.memberId, instanceId: m.instanceId, topics: resolvedTopics(m, ctx.topics), current: this.target.get(m.memberId) ?? EMPTY_ASSIGNMENT,
    }));
    const counts = new Map<string, number>();
    for (const m of members) for (const t of m.topics) counts.set(t, ctx.topics.topic(t)!.partitions);
    this.target = assignor(members, counts);
    this.assignmentEpoch = this.groupEpoch;
  }

  /** Who owns each partition now: its member's assigned and pending revocation. */
  private owners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const m of this.members.values()) {
      for (const [t, p] of partitionsOf(m.assigned)) owners.set(tpKey(t, p), m.memberId);
      for (const [t, p] of partitionsOf(m.pendingRevocation)) owners.set(tpKey(t, p), m.memberId);
    }
    return owners;
  }

  private replace(m: GroupMember, next: MemberAssignmentState, owners: Map<string, string>): boolean {
    if (next === m) return false;
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [t, p] of partitionsOf(a)) if (owners.get(tpKey(t, p)) === m.memberId) owners.delete(tpKey(t, p));
    }
    const updated: GroupMember = { ...m, ...next };
    for (const a of [updated.assigned, updated.pendingRevocation]) for (const [t, p] of partitionsOf(a)) owners.set(tpKey(t, p), m.memberId);
    this.members.set(m.memberId, updated);
    return true;
  }

  /** Reconciles every member until nothing moves (a partition freed by one may go to another). */
  private reconcileAll(owners: Map<string, string>): void {
    const ids = [...this.members.keys()].sort();
    for (let pass = 0; pass <= ids.length; pass++) {
      let moved = false;
      for (const id of ids) {
        const m = this.members.get(id)!;
        // A static member that stepped away holds what it has until it returns or its session ends.
        if (m.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) continue;
        const next = reconcile(m, this.assignmentEpoch, this.target.get(id) ?? EMPTY_ASSIGNMENT, otherOwner(owners, id));
        if (this.replace(m, next, owners)) moved = true;
      }
      if (!moved) return;
    }
  }
}

function otherOwner(owners: ReadonlyMap<string, string>, memberId: string): (topic: string, partition: number) => boolean {
  return (topic, partition) => {
    const owner = owners.get(tpKey(topic, partition));
    return owner !== undefined && owner !== memberId;
  };
}

function sameSubscription(a: GroupMember, b: GroupMember): boolean {
  return a.subscribedTopicRegex === b.subscribedTopicRegex && a.serverAssignor === b.serverAssignor
    && a.subscribedTopicNames.length === b.subscribedTopicNames.length && a.subscribedTopicNames.every((n, i) => n === b.subscribedTopicNames[i]);
}
