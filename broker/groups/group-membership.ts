// The I/O around the groups of one coordinator partition: members' streams, their session and
// rebalance timers, and what members are told after each change. The decisions are the pure
// ConsumerGroup's; every change goes through CoordinatorPartition.mutateGroup (record appended,
// or the change undone), and every answer or push waits until that record is committed.
//
// Session timeout: a member not heard from (join, heartbeat) for its session.timeout.ms leaves the
// group. Rebalance timeout: a member asked to give partitions up that has not reported it did within
// its rebalance timeout leaves too (KIP-848), so one stuck member cannot hold a rebalance forever.
// A closed stream ends a dynamic member at once; a static member's closed stream counts as it
// stepping away (epoch -2): it keeps its assignment until its session runs out, so a restart within
// it, or the same member back on a new stream, gets the same partitions (Kafka 3.7 instead keeps
// such a member live until its session ends, and its restart is refused with UNRELEASED_INSTANCE_ID
// meanwhile).
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/index.js';
import type { Assignment } from './assignment.js';
import {
  LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, type ConsumerGroup, type GroupChange, type GroupContext, type GroupSnapshot,
  type JoinRequest,
} from './consumer-group.js';
import type { MemberStream, MemberView } from './member-stream.js';

/** What membership needs of its partition (coordinator-partition.ts). */
export interface MembershipHost {
  readonly partition: number;
  readonly logger: Logger;
  now(): number;
  /** Runs op on the group and appends its record; throws (the change undone) when refused or not written. */
  mutateGroup(groupId: string, op: (g: ConsumerGroup, ctx: GroupContext) => GroupChange, requester?: boolean): { group: ConsumerGroup; change: GroupChange; end: number };
  group(groupId: string): ConsumerGroup | undefined;
  groups(): Iterable<ConsumerGroup>;
  afterCommit(end: number, run: () => void): void;
  rebalanced(groupId: string): void;
}

interface MemberClock {
  lastHeardMs: number;
  /** Since when it has been asked to give partitions up. */
  revokingSinceMs: number | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** After a failed removal (the record could not be written), try again this much later. */
const RETRY_MS = 1000;

const keyOf = (groupId: string, memberId: string): string => `${groupId}\u0000${memberId}`;

function viewOf(group: ConsumerGroup, memberId: string): MemberView {
  const m = group.member(memberId)!;
  return { memberEpoch: m.memberEpoch, assigned: m.assigned, groupEpoch: group.groupEpoch };
}

export class GroupMembership {
  private readonly streams = new Map<string, MemberStream>();
  private readonly clocks = new Map<string, MemberClock>();
  private closed = false;

  constructor(private readonly host: MembershipHost) {}

  join(stream: MemberStream, groupId: string, request: JoinRequest): void {
    const { group, change, end } = this.host.mutateGroup(groupId, (g, ctx) => g.join(request, ctx), true);
    const memberId = change.memberId;
    const key = keyOf(groupId, memberId);
    const previous = this.streams.get(key);
    if (previous && previous !== stream) previous.unbind();
    this.streams.set(key, stream);
    stream.bind({ membership: this, groupId, memberId });
    this.touch(groupId, memberId);
    const view = viewOf(group, memberId);
    stream.answerAfter(this.host.afterCommit, end, () => stream.deliver(memberId, view, true));
  }

  heartbeat(stream: MemberStream, memberEpoch: number, owned: Assignment): void {
    const { groupId, memberId } = stream.binding!;
    const { group, end } = this.host.mutateGroup(groupId, (g, ctx) => g.heartbeat(memberId, memberEpoch, owned, ctx), true);
    this.touch(groupId, memberId);
    const view = viewOf(group, memberId);
    stream.answerAfter(this.host.afterCommit, end, () => stream.deliver(memberId, view, false));
  }

  leave(stream: MemberStream, memberEpoch: number): void {
    const { groupId, memberId } = stream.binding!;
    const key = keyOf(groupId, memberId);
    // Off the map first: a leave answers the leaver itself, it is not told it is gone.
    const mapped = this.streams.get(key) === stream;
    if (mapped) this.streams.delete(key);
    let end: number;
    try {
      ({ end } = this.host.mutateGroup(groupId, (g, ctx) => g.leave(memberId, memberEpoch, ctx), true));
    } catch (err) {
      if (mapped) this.streams.set(key, stream);
      throw err;
    }
    stream.unbind();
    const answered = memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH && this.host.group(groupId)?.member(memberId) ? LEAVE_GROUP_STATIC_MEMBER_EPOCH : LEAVE_GROUP_MEMBER_EPOCH;
    stream.answerAfter(this.host.afterCommit, end, () => stream.left(memberId, answered));
  }

  /** The member's stream closed: a dynamic member leaves, a static one steps away. */
  streamClosed(stream: MemberStream): void {
    const b = stream.binding;
    if (!b || this.closed) return;
    const key = keyOf(b.groupId, b.memberId);
    if (this.streams.get(key) !== stream) return;
    this.streams.delete(key);
    const member = this.host.group(b.groupId)?.member(b.memberId);
    if (!member) return;
    try {
      this.host.mutateGroup(b.groupId, (g, ctx) => (member.instanceId !== undefined ? g.stepAway(b.memberId) : g.remove(b.memberId, ctx)));
      this.host.logger.info({ group: b.groupId, member: b.memberId, static: member.instanceId !== undefined }, 'group member\'s stream closed');
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      // Not written: the member stays until its session times out (its timer still runs).
      this.host.logger.warn({ group: b.groupId, member: b.memberId, err: err.message }, 'could not record a closed member stream; its session timeout will remove it');
    }
  }

  /** The stream no longer carries its member (refused as unknown or fenced). */
  streamDropped(stream: MemberStream): void {
    const b = stream.binding;
    if (b && this.streams.get(keyOf(b.groupId, b.memberId)) === stream) this.streams.delete(keyOf(b.groupId, b.memberId));
    stream.unbind();
  }

  /**
   * After any change of a group: members whose state changed hear of it (the requester is answered
   * by its own operation), members gone lose their timers and streams, timers follow revocations.
   */
  groupChanged(groupId: string, before: GroupSnapshot, group: ConsumerGroup, change: GroupChange, end: number, requester: boolean): void {
    if (change.rebalanced) this.host.rebalanced(groupId);
    for (const id of before.members.keys()) {
      if (group.member(id)) continue;
      this.forget(groupId, id);
      const stream = this.streams.get(keyOf(groupId, id));
      if (!stream) continue;
      this.streams.delete(keyOf(groupId, id));
      stream.unbind();
      stream.answerAfter(this.host.afterCommit, end, () => stream.fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${id} is no longer in group ${groupId}`));
    }
    const now = this.host.now();
    for (const [id, member] of group.members) {
      const previous = before.members.get(id);
      if (previous === member) continue;
      const clock = this.clockOf(groupId, id, now);
      const revoking = member.status === 'unrevoked';
      if (revoking !== (previous?.status === 'unrevoked')) {
        clock.revokingSinceMs = revoking ? now : undefined;
        this.schedule(groupId, id);
      }
      if (requester && id === change.memberId) continue;
      const stream = this.streams.get(keyOf(groupId, id));
      if (!stream) continue;
      const view = viewOf(group, id);
      stream.answerAfter(this.host.afterCommit, end, () => stream.deliver(id, view, false));
    }
  }

  /** After loading: every member's session starts now (their streams are to reconnect here). */
  startSessions(): void {
    const now = this.host.now();
    for (const g of this.host.groups()) {
      for (const [id, m] of g.members) {
        const clock = this.clockOf(g.groupId, id, now);
        if (m.status === 'unrevoked') clock.revokingSinceMs = now;
        this.schedule(g.groupId, id);
      }
    }
  }

  /** The partition is no longer ours: streams are told NOT_COORDINATOR (and end), timers stop. */
  close(): void {
    this.closed = true;
    for (const clock of this.clocks.values()) clearTimeout(clock.timer);
    this.clocks.clear();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.fail(ErrorCode.NOT_COORDINATOR, `this node no longer coordinates the groups of __consumer_offsets-${this.host.partition}`);
  }

  private clockOf(groupId: string, memberId: string, now: number): MemberClock {
    const key = keyOf(groupId, memberId);
    let clock = this.clocks.get(key);
    if (!clock) this.clocks.set(key, (clock = { lastHeardMs: now, revokingSinceMs: undefined, timer: undefined }));
    return clock;
  }

  /** Heard from the member now: its session starts over. */
  private touch(groupId: string, memberId: string): void {
    this.clockOf(groupId, memberId, this.host.now()).lastHeardMs = this.host.now();
    this.schedule(groupId, memberId);
  }

  private forget(groupId: string, memberId: string): void {
    const key = keyOf(groupId, memberId);
    clearTimeout(this.clocks.get(key)?.timer);
    this.clocks.delete(key);
  }

  /** Arms the member's timer for its next deadline: the session's, or the revocation's when earlier. */
  private schedule(groupId: string, memberId: string, delayMs?: number): void {
    const clock = this.clocks.get(keyOf(groupId, memberId));
    const member = this.host.group(groupId)?.member(memberId);
    if (!clock || !member || this.closed) return;
    clearTimeout(clock.timer);
    let deadline = clock.lastHeardMs + member.sessionTimeoutMs;
    if (member.status === 'unrevoked' && clock.revokingSinceMs !== undefined) deadline = Math.min(deadline, clock.revokingSinceMs + member.rebalanceTimeoutMs);
    const wait = delayMs ?? Math.max(0, deadline - this.host.now());
    clock.timer = setTimeout(() => this.deadlinePassed(groupId, memberId), wait);
    clock.timer.unref();
  }

  private deadlinePassed(groupId: string, memberId: string): void {
    const clock = this.clocks.get(keyOf(groupId, memberId));
    const member = this.host.group(groupId)?.member(memberId);
    if (!clock || !member || this.closed) return;
    const now = this.host.now();
    const sessionOver = now >= clock.lastHeardMs + member.sessionTimeoutMs;
    const revocationOver = member.status === 'unrevoked' && clock.revokingSinceMs !== undefined && now >= clock.revokingSinceMs + member.rebalanceTimeoutMs;
    if (!sessionOver && !revocationOver) {
      this.schedule(groupId, memberId);
      return;
    }
    try {
      this.host.mutateGroup(groupId, (g, ctx) => g.remove(memberId, ctx));
      this.host.logger.info({ group: groupId, member: memberId, heardMsAgo: now - clock.lastHeardMs },
        sessionOver ? 'group member removed: its session timed out' : 'group member removed: it did not give up its partitions within its rebalance timeout');
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      this.host.logger.warn({ group: groupId, member: memberId, err: err.message }, 'could not record an expired member; trying again');
      this.schedule(groupId, memberId, RETRY_MS);
    }
  }
}
