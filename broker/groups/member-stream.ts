// One GroupStream: a member's bidirectional stream to its coordinator. It carries one member at a
// time: a join binds it (to the member the coordinator names), a leave or the member's removal
// unbinds it, and it may then carry a join again. Every join, heartbeat and leave is answered once
// what it changed is committed; assignment changes are pushed the same way. An error answer names
// Kafka's code and leaves the stream open, except NOT_COORDINATOR, after which the stream ends: the
// member looks for its coordinator again (FindCoordinator) and opens a stream there. After
// UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH or FENCED_INSTANCE_ID the stream carries no member until
// the next join, so closing it then does not end the member (a fenced member rejoins with epoch 0,
// on this stream or another; one that does not come back leaves at its session timeout).
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import { assignmentsEqual, toWire, type Assignment } from './assignment.js';
import { parseHeartbeat, parseJoin, parseLeave } from './group-requests.js';
import type { GroupMembership } from './group-membership.js';

/** Errors after which the stream no longer carries its member. */
const UNBINDING: ReadonlySet<number> = new Set<number>([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.FENCED_INSTANCE_ID]);

/** Where a stream's answers go (the gRPC call, through the rpc layer's adapter). */
export interface GroupStreamSink {
  send(response: wire.GroupResponse): void;
  end(): void;
}

/** What a stream needs of the coordinator: the membership of the partition that holds a group. */
export interface GroupRouter {
  /** Throws NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE. */
  membershipFor(groupId: string): GroupMembership;
  readonly heartbeatIntervalMs: number;
}

/** A member's state as an answer tells it. */
export interface MemberView {
  readonly memberEpoch: number;
  readonly assigned: Assignment;
  readonly groupEpoch: number;
}

export interface StreamBinding {
  readonly membership: GroupMembership;
  readonly groupId: string;
  readonly memberId: string;
}

export class MemberStream {
  private bound: StreamBinding | undefined;
  /** The assignment last sent for the bound member (has_assignment is set when it changes). */
  private lastAssignment: Assignment | undefined;
  private ended = false;
  /** The peer stopped sending but still reads: the stream ends once the answers it is owed are out. */
  private draining = false;
  /** Answers waiting for their records to commit. */
  private owed = 0;

  constructor(private readonly router: GroupRouter, private readonly sink: GroupStreamSink) {}

  get binding(): StreamBinding | undefined {
    return this.bound;
  }

  /** One message of the member. A refusal is answered on the stream; anything else thrown is a bug. */
  receive(req: wire.GroupRequest__Output): void {
    if (this.ended) return;
    try {
      switch (req.kind) {
        case 'join':
          this.join(req.join!);
          return;
        case 'heartbeat': {
          const { memberEpoch, owned } = parseHeartbeat(req.heartbeat!);
          this.requireBinding().membership.heartbeat(this, memberEpoch, owned);
          return;
        }
        case 'leave':
          this.requireBinding().membership.leave(this, parseLeave(req.leave!));
          return;
        default:
          throw new StraitError(ErrorCode.INVALID_REQUEST, 'a GroupRequest carries a join, a heartbeat or a leave');
      }
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      this.fail(err.code, err.message);
    }
  }

  /**
   * The peer closed the stream (or it broke). A peer that only half-closed (a member that sent its
   * leave and stopped sending) still gets the answers it is owed, then the stream ends.
   */
  closed(halfClosed: boolean): void {
    this.bound?.membership.streamClosed(this);
    this.bound = undefined;
    if (!halfClosed) this.ended = true;
    else if (this.owed === 0) this.end();
    else this.draining = true;
  }

  /** Runs `answer` once `end` is committed (through `afterCommit`), counting it as owed meanwhile. */
  answerAfter(afterCommit: (end: number, run: () => void) => void, end: number, answer: () => void): void {
    this.owed++;
    afterCommit(end, () => {
      this.owed--;
      answer();
      if (this.draining && this.owed === 0) this.end();
    });
  }

  bind(binding: StreamBinding): void {
    if (this.bound?.memberId !== binding.memberId) this.lastAssignment = undefined;
    this.bound = binding;
  }

  unbind(): void {
    this.bound = undefined;
    this.lastAssignment = undefined;
  }

  /** Sends the member's state, if this stream still carries it; `full` always includes the assignment. */
  deliver(memberId: string, view: MemberView, full: boolean): void {
    if (this.ended || this.bound?.memberId !== memberId) return;
    const hasAssignment = full || this.lastAssignment === undefined || !assignmentsEqual(this.lastAssignment, view.assigned);
    if (hasAssignment) this.lastAssignment = view.assigned;
    this.sink.send({
      errorCode: ErrorCode.NONE, errorMessage: '', memberId, memberEpoch: view.memberEpoch, heartbeatIntervalMs: this.router.heartbeatIntervalMs,
      hasAssignment, assignment: hasAssignment ? toWire(view.assigned) : [], groupEpoch: view.groupEpoch,
    });
  }

  /** The answer to a leave, once committed. */
  left(memberId: string, memberEpoch: number): void {
    if (this.ended) return;
    this.sink.send({
      errorCode: ErrorCode.NONE, errorMessage: '', memberId, memberEpoch, heartbeatIntervalMs: this.router.heartbeatIntervalMs,
      hasAssignment: false, assignment: [], groupEpoch: 0,
    });
  }

  /** An error answer; NOT_COORDINATOR ends the stream, errors about the member's standing unbind it. */
  fail(code: number, message: string): void {
    if (this.ended) return;
    const memberId = this.bound?.memberId ?? '';
    if (UNBINDING.has(code)) this.bound?.membership.streamDropped(this);
    this.sink.send({
      errorCode: code as wire.GroupResponse['errorCode'], errorMessage: message, memberId, memberEpoch: -1,
      heartbeatIntervalMs: this.router.heartbeatIntervalMs, hasAssignment: false, assignment: [], groupEpoch: 0,
    });
    if (code === ErrorCode.NOT_COORDINATOR) {
      this.bound = undefined;
      this.end();
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.draining = false;
    this.sink.end();
  }

  private join(join: wire.GroupJoin__Output): void {
    const { groupId, request } = parseJoin(join);
    const b = this.bound;
    if (b && (b.groupId !== groupId || request.memberId !== b.memberId)) {
      throw new StraitError(ErrorCode.INVALID_REQUEST, `this stream carries member ${b.memberId} of group ${b.groupId}: leave first, or open another stream`);
    }
    this.router.membershipFor(groupId).join(this, groupId, request);
  }

  private requireBinding(): StreamBinding {
    return this.bound ?? (() => { throw new StraitError(ErrorCode.UNKNOWN_MEMBER_ID, 'this stream carries no member: send a join first'); })();
  }
}
