// A consumer's membership of its group, kept up in the background (KIP-848's heartbeat loop): find
// the coordinator, open a GroupStream, join (with the member id, epoch and owned partitions it already
// has when it rejoins), heartbeat with the partitions it owns, hand every new assignment to the
// consumer, and leave on close. Broken streams and coordinator moves are rejoined after a backoff;
// being fenced loses every partition and rejoins; an error no rejoin can fix is fatal. What the
// consumer does with an assignment (revoke, commit, start fetching) happens in its own call path,
// which reports back through heartbeatNow().
import os from 'node:os';
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { ConnectionPool } from '../cluster/connection-pool.js';
import { backoffDelay, type RetryPolicy } from '../cluster/retry.js';
import { coordinatorMoved, type GroupCoordinators } from '../groups/coordinator.js';
import { byTopic, fromTopics, type MemberIdentity } from '../groups/offsets.js';
import type { GroupResponse__Output } from '../wire/generated/strait/v1/GroupResponse.js';
import type { GroupConfig } from './consumer-config.js';
import { groupErrorAction } from './group-errors.js';
import { GroupStreamConnection } from './group-stream.js';
import type { TopicPartition } from './partition-state.js';
import { normalizePartitions } from './reconciliation.js';
import { subscriptionFields, type Subscription } from './subscription.js';

export interface MembershipEvents {
  /** The partitions this member may own now: a new assignment from the coordinator. */
  onAssignment(partitions: TopicPartition[]): void;
  /** Every owned partition is lost (fenced, forgotten by the coordinator, or a fatal error). */
  onLost(reason: StraitError): void;
  /** The membership cannot go on; poll() raises this. */
  onFatal(err: StraitError): void;
}

export interface MembershipOptions {
  group: GroupConfig;
  clientId: string;
  subscription: Subscription;
  retry: RetryPolicy;
  defaultApiTimeoutMs: number;
}

/** GroupLeave's member_epoch: -1 leaves for good, -2 is a static member stepping away for a restart. */
export const LEAVE_GROUP_EPOCH = -1;
export const LEAVE_STATIC_EPOCH = -2;

export class GroupMembership {
  private readonly coordinators: GroupCoordinators;
  private readonly pool: ConnectionPool;
  private readonly options: MembershipOptions;
  private readonly events: MembershipEvents;
  private readonly owned: () => TopicPartition[];
  private memberId = '';
  private memberEpoch = 0;
  private heartbeatIntervalMs: number;
  private stream: GroupStreamConnection | undefined;
  /** The coordinator has answered on the current stream. */
  private joined = false;
  private phase: 'active' | 'leaving' | 'stopped' = 'active';
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private leaveDone: (() => void) | undefined;

  constructor(coordinators: GroupCoordinators, pool: ConnectionPool, options: MembershipOptions, events: MembershipEvents, owned: () => TopicPartition[]) {
    this.coordinators = coordinators;
    this.pool = pool;
    this.options = options;
    this.events = events;
    this.owned = owned;
    this.heartbeatIntervalMs = options.group.heartbeatIntervalMs;
  }

  start(): void {
    this.scheduleConnect(0);
  }

  identity(): MemberIdentity {
    return { memberId: this.memberId, memberEpoch: this.memberEpoch };
  }

  private get groupId(): string {
    return this.options.group.groupId;
  }

  private scheduleConnect(delayMs: number): void {
    if (this.phase !== 'active' || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delayMs);
  }

  private async connect(): Promise<void> {
    if (this.phase !== 'active' || this.stream) return;
    let address: string;
    try {
      address = (await this.coordinators.find(this.groupId, Date.now() + this.options.defaultApiTimeoutMs)).address;
    } catch (err) {
      const error = err instanceof StraitError ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err));
      if (error.retriable) this.scheduleConnect(backoffDelay(this.failures++, this.options.retry));
      else this.fail(error);
      return;
    }
    if (this.phase !== 'active' || this.stream) return;
    const stream: GroupStreamConnection = new GroupStreamConnection(this.pool.groups(address), address, {
      onResponse: (res) => this.onResponse(stream, res),
      onClosed: (err) => this.onStreamClosed(stream, err),
    });
    this.stream = stream;
    this.joined = false;
    const { group } = this.options;
    stream.send({
      join: {
        groupId: group.groupId,
        memberId: this.memberId,
        instanceId: group.instanceId,
        clientId: this.options.clientId,
        clientHost: os.hostname(),
        rackId: group.rack,
        ...subscriptionFields(this.options.subscription),
        assignor: group.assignor,
        sessionTimeoutMs: group.sessionTimeoutMs,
        rebalanceTimeoutMs: group.rebalanceTimeoutMs,
        memberEpoch: this.memberEpoch,
        owned: byTopic(this.owned()),
      },
    });
  }

  private onResponse(stream: GroupStreamConnection, res: GroupResponse__Output): void {
    if (stream !== this.stream) return;
    const err = errorFromCode(res.errorCode, res.errorMessage ? `group '${this.groupId}': ${res.errorMessage}` : undefined);
    if (err) {
      this.onError(stream, err);
      return;
    }
    this.failures = 0;
    if (res.memberId) this.memberId = res.memberId;
    // Epochs of a member in the group are positive; a negative one acknowledges a leave.
    if (res.memberEpoch !== 0) this.memberEpoch = res.memberEpoch;
    if (this.phase === 'leaving') {
      if (res.memberEpoch < 0) this.finishLeave();
      return;
    }
    const intervalChanged = res.heartbeatIntervalMs > 0 && res.heartbeatIntervalMs !== this.heartbeatIntervalMs;
    if (intervalChanged) this.heartbeatIntervalMs = res.heartbeatIntervalMs;
    if (!this.joined || intervalChanged) this.scheduleHeartbeat();
    this.joined = true;
    if (res.hasAssignment) this.events.onAssignment(normalizePartitions(fromTopics(res.assignment)));
  }

  private onError(stream: GroupStreamConnection, err: StraitError): void {
    if (this.phase === 'leaving') {
      this.finishLeave();
      return;
    }
    this.dropStream();
    switch (groupErrorAction(err.code)) {
      case 'find-coordinator':
        this.coordinators.invalidate(this.groupId, stream.address);
        this.scheduleConnect(backoffDelay(this.failures++, this.options.retry));
        return;
      case 'retry':
        this.scheduleConnect(backoffDelay(this.failures++, this.options.retry));
        return;
      case 'rejoin-fenced':
        // KIP-848: abandon every partition, then rejoin with the same member id and epoch 0.
        this.events.onLost(err);
        this.memberEpoch = 0;
        this.scheduleConnect(0);
        return;
      case 'rejoin-unknown':
        this.events.onLost(err);
        this.memberId = '';
        this.memberEpoch = 0;
        this.scheduleConnect(0);
        return;
      case 'fatal':
        this.fail(err);
        return;
    }
  }

  private onStreamClosed(stream: GroupStreamConnection, err: StraitError): void {
    if (stream !== this.stream) return;
    this.stream = undefined;
    this.joined = false;
    this.stopHeartbeats();
    if (this.phase === 'leaving') {
      this.finishLeave();
      return;
    }
    if (err.code === ErrorCode.UNSUPPORTED_VERSION) {
      this.fail(new StraitError(ErrorCode.UNSUPPORTED_VERSION, `the coordinator at ${stream.address} does not serve consumer groups (${err.message})`));
      return;
    }
    if (coordinatorMoved(err.code)) this.coordinators.invalidate(this.groupId, stream.address);
    // Rejoin with the member id, epoch and partitions we have: a coordinator that still knows the
    // member (or a new one that loaded the group) takes it back as it was.
    this.scheduleConnect(backoffDelay(this.failures++, this.options.retry));
  }

  private scheduleHeartbeat(): void {
    this.stopHeartbeats();
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.heartbeatNow();
    }, this.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Reports the owned partitions now (after a reconciliation), then at the heartbeat interval. */
  heartbeatNow(): void {
    if (this.phase !== 'active' || !this.stream || !this.joined) return;
    this.stream.send({ heartbeat: { memberEpoch: this.memberEpoch, owned: byTopic(this.owned()) } });
    this.scheduleHeartbeat();
  }

  private dropStream(): void {
    this.stopHeartbeats();
    this.stream?.close();
    this.stream = undefined;
    this.joined = false;
  }

  private fail(err: StraitError): void {
    this.stop();
    this.events.onLost(err);
    this.events.onFatal(err);
  }

  private finishLeave(): void {
    const done = this.leaveDone;
    this.leaveDone = undefined;
    done?.();
  }

  /**
   * Leaves the group: a static member (group.instance.id) steps away keeping its assignment for its
   * session (epoch -2), a dynamic one leaves for good (-1). Waits for the coordinator's answer or the
   * end of the stream, at most timeoutMs.
   */
  async leave(timeoutMs: number): Promise<void> {
    if (this.phase !== 'active') return;
    this.phase = 'leaving';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopHeartbeats();
    const stream = this.stream;
    if (stream) {
      const left = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.leaveDone = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      stream.send({ leave: { memberEpoch: this.options.group.instanceId ? LEAVE_STATIC_EPOCH : LEAVE_GROUP_EPOCH } });
      stream.end();
      await left;
    }
    this.stop();
  }

  /** Stops without leaving (the coordinator sees the stream close). */
  stop(): void {
    this.phase = 'stopped';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.dropStream();
    this.finishLeave();
  }
}
