// One __consumer_offsets partition this node leads, as its groups' coordinator: it loads the
// partition (COORDINATOR_LOAD_IN_PROGRESS until every record is read and committed), then keeps the
// groups and offsets in memory in step with the log (each change appended as a record, or undone
// when the append is refused), runs the expiry check, follows metadata changes, and answers the
// requests for its groups. close() when the leadership ends: NOT_COORDINATOR from then on.
import type { Logger } from 'pino';
import { ErrorCode, StraitError, decodeRecordBatches, type wire } from '../../client/index.js';
import type { GroupCoordinatorConfig } from '../config/broker-config.js';
import type { PartitionLeader } from '../replication/index.js';
import { toWire } from './assignment.js';
import { ConsumerGroup, type GroupChange, type GroupContext, type GroupRules, type GroupSnapshot } from './consumer-group.js';
import { CoordinatorLog, coordinatorError, coordinatorErrorCode, type CoordinatorRecord } from './coordinator-log.js';
import { CoordinatorState, groupRecord, groupTombstone, offsetTombstone } from './coordinator-state.js';
import { GroupMembership } from './group-membership.js';
import type { TopicsView } from './group-subscriptions.js';
import { expireOffsets } from './offset-expiry.js';

/** Told of rebalances and of groups that leave this node (metrics). */
export interface GroupObserver {
  rebalanced(groupId: string): void;
  groupGone(groupId: string): void;
}

export interface PartitionContext {
  readonly nodeId: number;
  readonly config: GroupCoordinatorConfig;
  readonly rules: GroupRules;
  readonly now: () => number;
  readonly topics: () => TopicsView;
  readonly observer: GroupObserver;
  readonly logger: Logger;
  readonly newMemberId: () => string;
}

export interface ListedGroup {
  readonly groupId: string;
  readonly state: string;
  /** Always "consumer" (KIP-848's protocol; "classic" groups are not served). */
  readonly groupType: string;
}

export type PartitionStatus = 'loading' | 'active' | 'failed' | 'closed';

/** Bytes read per step while loading (the event loop gets a turn between steps). */
const LOAD_READ_BYTES = 1 << 20;
/** One wait for the high watermark to reach what was loaded; renewed while the leadership lasts. */
const LOAD_COMMIT_WAIT_MS = 30_000;
/** After a metadata change could not be recorded, try again this much later. */
const RETRY_MS = 1000;

export class CoordinatorPartition {
  status: PartitionStatus = 'loading';
  readonly state = new CoordinatorState();
  readonly log: CoordinatorLog;
  readonly membership: GroupMembership;
  readonly logger: Logger;
  /** Per group, the offset after the last record written for it: reads wait until it is committed. */
  private readonly lastWrite = new Map<string, number>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(readonly partition: number, leader: PartitionLeader, readonly ctx: PartitionContext) {
    this.logger = ctx.logger.child({ partition });
    this.log = new CoordinatorLog(leader, ctx.now);
    this.membership = new GroupMembership({
      partition, logger: this.logger, now: ctx.now,
      mutateGroup: (groupId, op, requester) => this.mutateGroup(groupId, op, requester),
      group: (groupId) => this.state.groups.get(groupId),
      groups: () => this.state.groups.values(),
      afterCommit: (end, run) => this.log.afterCommit(end, run),
      rebalanced: (groupId) => ctx.observer.rebalanced(groupId),
    });
  }

  get leader(): PartitionLeader {
    return this.log.leader;
  }

  groupContext(): GroupContext {
    return { now: this.ctx.now(), topics: this.ctx.topics(), rules: this.ctx.rules, newMemberId: this.ctx.newMemberId };
  }

  /** Throws the error a request for one of this partition's groups gets while it cannot be served. */
  checkActive(): void {
    if (this.status === 'active' && this.log.active) return;
    if (this.status === 'loading') throw new StraitError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, `__consumer_offsets-${this.partition} is still loading`);
    if (this.status === 'failed') throw new StraitError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `__consumer_offsets-${this.partition} could not be loaded on node ${this.ctx.nodeId}`);
    throw new StraitError(ErrorCode.NOT_COORDINATOR, `node ${this.ctx.nodeId} no longer leads __consumer_offsets-${this.partition}`);
  }

  /**
   * Reads the partition from its start to its end into memory, then waits for the high watermark to
   * pass that end (only committed state is served). A record it must not guess at (a newer value
   * version, bytes that do not parse) fails the load: COORDINATOR_NOT_AVAILABLE until the
   * leadership changes.
   */
  async load(): Promise<void> {
    const started = this.ctx.now();
    const end = this.log.logEndOffset;
    let offset = this.log.logStartOffset;
    let records = 0;
    let skipped = 0;
    try {
      while (offset < end) {
        if (this.status !== 'loading' || !this.log.active) return;
        const read = this.log.read(offset, LOAD_READ_BYTES);
        if (read.records.length === 0) break;
        for (const batch of decodeRecordBatches(read.records)) {
          for (const r of batch.records) {
            if (r.offset < offset) continue;
            if (this.state.replay(r.key, r.value) === 'unknown-type') skipped++;
            records++;
          }
          offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (;;) {
        if (this.status !== 'loading' || !this.log.active) return;
        if (await this.log.committed(end, LOAD_COMMIT_WAIT_MS)) break;
      }
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      this.status = 'failed';
      this.logger.error({ err: err.message, code: err.code, offset }, 'group coordinator: could not load the partition; its groups are unavailable until its leadership moves');
      return;
    }
    if (this.status !== 'loading') return;
    this.status = 'active';
    if (skipped > 0) this.logger.warn({ skipped }, 'group coordinator: skipped records of unknown types while loading');
    // One line per partition that held anything (an empty one is the common case: 50 of them at creation).
    const loaded = { groups: this.state.groupIds().size, records, endOffset: end, ms: this.ctx.now() - started };
    if (records > 0) this.logger.info(loaded, 'group coordinator: loaded the partition');
    else this.logger.debug(loaded, 'group coordinator: loaded the partition');
    this.membership.startSessions();
    this.expiryTimer = setInterval(() => this.expire(), this.ctx.config.offsetsRetentionCheckIntervalMs);
    this.expiryTimer.unref();
    this.metadataChanged();
  }

  /** The leadership ended (or the node stops): nothing more is written or answered from here. */
  close(): void {
    if (this.status === 'closed') return;
    this.status = 'closed';
    clearInterval(this.expiryTimer);
    clearTimeout(this.refreshTimer);
    this.membership.close();
    for (const id of this.state.groupIds()) this.ctx.observer.groupGone(id);
  }

  /**
   * Runs op on the group (a new empty one if absent) and appends the group's record when it changed;
   * a refusal or a failed append leaves the group as it was. Members hear of what changed once the
   * record is committed (GroupMembership.groupChanged).
   */
  mutateGroup(groupId: string, op: (g: ConsumerGroup, ctx: GroupContext) => GroupChange, requester = false): { group: ConsumerGroup; change: GroupChange; end: number } {
    this.checkActive();
    const existing = this.state.groups.get(groupId);
    const group = existing ?? new ConsumerGroup(groupId);
    const before = group.snapshot();
    let change: GroupChange;
    try {
      change = op(group, this.groupContext());
    } catch (err) {
      group.restore(before);
      throw err;
    }
    let end = this.log.logEndOffset;
    if (changedSince(before, group)) {
      try {
        end = this.write(groupId, [groupRecord(group)]);
      } catch (err) {
        group.restore(before);
        throw coordinatorError(err, `group ${groupId}`);
      }
      if (!existing) this.state.groups.set(groupId, group);
    }
    this.membership.groupChanged(groupId, before, group, change, end, requester);
    return { group, change, end };
  }

  /** Appends records of one group; returns the offset after them. Throws StraitError (produce codes). */
  write(groupId: string, records: readonly CoordinatorRecord[]): number {
    const end = this.log.append(records);
    this.lastWrite.set(groupId, end);
    return end;
  }

  /** Waits until everything written for the group is committed (reads see committed state only). */
  async settled(groupId: string): Promise<void> {
    const end = this.lastWrite.get(groupId);
    if (end === undefined || this.log.highWatermark >= end) return;
    if (!(await this.log.committed(end, this.ctx.config.offsetsCommitTimeoutMs))) {
      this.checkActive();
      throw new StraitError(ErrorCode.REQUEST_TIMED_OUT, `the last write of group ${groupId} is not committed yet`);
    }
  }

  /** The code a write's wait ended with, as the client gets it. */
  async replicated(end: number): Promise<number> {
    return coordinatorErrorCode(await this.log.replicated(end, this.ctx.config.offsetsCommitTimeoutMs));
  }

  describe(groupId: string): wire.DescribedGroup {
    const none = { groupEpoch: 0, assignmentEpoch: 0, assignor: '', members: [], coordinatorId: this.ctx.nodeId };
    if (!this.state.exists(groupId)) {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} does not exist`, groupId, state: 'Dead', ...none };
    }
    const group = this.state.groups.get(groupId) ?? new ConsumerGroup(groupId);
    return {
      errorCode: ErrorCode.NONE, errorMessage: '', groupId, state: group.state(), groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch,
      assignor: group.assignorName(this.ctx.rules), coordinatorId: this.ctx.nodeId,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId, instanceId: m.instanceId ?? '', clientId: m.clientId, clientHost: m.clientHost, memberEpoch: m.memberEpoch,
        subscribedTopics: [...m.subscribedTopicNames], subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: toWire(m.assigned), pending: toWire(group.pendingFor(m.memberId)),
      })),
    };
  }

  /** The groups here, in the given states (Kafka's names, any case; empty: all). */
  list(states: readonly string[]): ListedGroup[] {
    const wanted = new Set(states.map((s) => s.toLowerCase()));
    const out: ListedGroup[] = [];
    for (const groupId of this.state.groupIds()) {
      const state = this.state.groups.get(groupId)?.state() ?? 'Empty';
      if (wanted.size === 0 || wanted.has(state.toLowerCase())) out.push({ groupId, state, groupType: 'consumer' });
    }
    return out;
  }

  /** DeleteGroups for one group: NON_EMPTY_GROUP while it has members; tombstones for its record and offsets. */
  async deleteGroup(groupId: string): Promise<number> {
    this.checkActive();
    if (!this.state.exists(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    if ((this.state.groups.get(groupId)?.members.size ?? 0) > 0) return ErrorCode.NON_EMPTY_GROUP;
    const records = [...this.state.committed(groupId).values()].map((o) => offsetTombstone(groupId, o.topic, o.partition));
    records.push(groupTombstone(groupId));
    let end: number;
    try {
      end = this.write(groupId, records);
    } catch (err) {
      return coordinatorError(err, `delete group ${groupId}`).code;
    }
    this.state.deleteGroup(groupId);
    this.ctx.observer.groupGone(groupId);
    this.logger.info({ group: groupId, offsets: records.length - 1 }, 'group deleted');
    return this.replicated(end);
  }

  /** The topics changed: every group with members checks what its subscriptions resolve to now. */
  metadataChanged(): void {
    if (this.status !== 'active') return;
    let failed = false;
    for (const group of [...this.state.groups.values()]) {
      if (group.members.size === 0) continue;
      try {
        this.mutateGroup(group.groupId, (g, ctx) => g.refreshTopics(ctx));
      } catch (err) {
        if (!(err instanceof StraitError)) throw err;
        failed = true;
        this.logger.warn({ group: group.groupId, err: err.message }, 'could not record a group\'s new subscription metadata; trying again');
      }
    }
    if (failed && !this.refreshTimer) {
      this.refreshTimer = setTimeout(() => {
        this.refreshTimer = undefined;
        this.metadataChanged();
      }, RETRY_MS);
      this.refreshTimer.unref();
    }
  }

  /** The offsets.retention.check.interval.ms check: expired offsets (and emptied groups) get tombstones. */
  expire(): void {
    if (this.status !== 'active' || !this.log.active) return;
    // Writes already committed need no waiting: forget them (the map holds recent writes only).
    const hw = this.log.highWatermark;
    for (const [groupId, end] of this.lastWrite) if (end <= hw) this.lastWrite.delete(groupId);
    const now = this.ctx.now();
    let offsets = 0;
    let groups = 0;
    for (const groupId of this.state.groupIds()) {
      const group = this.state.groups.get(groupId);
      const verdict = expireOffsets(group && { memberCount: group.members.size, emptySinceMs: group.emptySinceMs },
        this.state.committed(groupId), now, this.ctx.config.offsetsRetentionMs);
      const dropGroup = verdict.groupGone && group !== undefined;
      if (verdict.expired.length === 0 && !dropGroup) continue;
      const records = verdict.expired.map((o) => offsetTombstone(groupId, o.topic, o.partition));
      if (dropGroup) records.push(groupTombstone(groupId));
      try {
        this.write(groupId, records);
      } catch (err) {
        if (!(err instanceof StraitError)) throw err;
        this.logger.warn({ group: groupId, err: err.message }, 'could not write the tombstones of expired offsets; the next check tries again');
        continue;
      }
      for (const o of verdict.expired) this.state.deleteOffset(groupId, o.topic, o.partition);
      offsets += verdict.expired.length;
      if (verdict.groupGone) {
        this.state.deleteGroup(groupId);
        this.ctx.observer.groupGone(groupId);
        groups++;
      }
    }
    if (offsets > 0 || groups > 0) this.logger.info({ offsets, groups }, 'group coordinator: removed expired offsets and groups');
  }
}

/** Whether the group's persistent state differs from the snapshot (members are immutable objects). */
function changedSince(before: GroupSnapshot, group: ConsumerGroup): boolean {
  if (before.groupEpoch !== group.groupEpoch || before.assignmentEpoch !== group.assignmentEpoch) return true;
  if (before.subscriptionFingerprint !== group.subscriptionFingerprint || before.emptySinceMs !== group.emptySinceMs) return true;
  if (before.members.size !== group.members.size || before.target.size !== group.target.size) return true;
  for (const [id, m] of group.members) if (before.members.get(id) !== m) return true;
  for (const [id, t] of group.target) if (before.target.get(id) !== t) return true;
  return false;
}
