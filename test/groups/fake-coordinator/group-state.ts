// The fake coordinator's groups (test-only, FOR THE CLIENT'S TESTS UNTIL THE BROKER SIDE EXISTS): the
// design's rules (/work/helpers/groups.md, KIP-848) kept exactly, in memory. A partition is never held
// by two members (held = in the assignment the member was sent, or in what it reports owning); a
// shrunk assignment is sent at once, a partition is added to a member only once no other member holds
// it; member epochs move with each new assignment and commits from a stale epoch or an unknown member
// are refused; session timeouts; static members keep their assignment while away; offsets as Kafka
// keeps them. Every change is checked against the one-owner rule and any breach is recorded in
// `violations`, which the tests assert empty.
import { ErrorCode, type ErrorCodeValue } from '../../../client/errors.js';
import type { GroupJoin__Output } from '../../../client/wire/generated/strait/v1/GroupJoin.js';
import type { GroupResponse } from '../../../client/wire/generated/strait/v1/GroupResponse.js';
import type { OffsetCommitRequest__Output } from '../../../client/wire/generated/strait/v1/OffsetCommitRequest.js';
import type { OffsetCommitResponse } from '../../../client/wire/generated/strait/v1/OffsetCommitResponse.js';
import type { OffsetFetchRequest__Output } from '../../../client/wire/generated/strait/v1/OffsetFetchRequest.js';
import type { OffsetFetchResponse } from '../../../client/wire/generated/strait/v1/OffsetFetchResponse.js';
import type { OffsetDeleteRequest__Output } from '../../../client/wire/generated/strait/v1/OffsetDeleteRequest.js';
import type { OffsetDeleteResponse } from '../../../client/wire/generated/strait/v1/OffsetDeleteResponse.js';
import type { DescribedGroup } from '../../../client/wire/generated/strait/v1/DescribedGroup.js';
import type { DeletedGroup } from '../../../client/wire/generated/strait/v1/DeletedGroup.js';
import type { ListedGroup } from '../../../client/wire/generated/strait/v1/ListedGroup.js';
import type { TopicPartitions, TopicPartitions__Output } from '../../../client/wire/generated/strait/v1/TopicPartitions.js';
import { partitionKey, rangeAssignor, topicOfKey, uniformAssignor, type AssignorMember } from './assignors.js';

/** A member's stream, as the state sees it. */
export interface MemberChannel {
  send(res: GroupResponse): void;
  end(): void;
}

export interface FakeGroupsConfig {
  /** group.consumer.session.timeout.ms: used when a join asks for 0. */
  sessionTimeoutMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxGroupSize: number;
}

export const DEFAULT_FAKE_CONFIG: FakeGroupsConfig = {
  sessionTimeoutMs: 6000,
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 60_000,
  heartbeatIntervalMs: 500,
  maxGroupSize: 1000,
};

/** What happened, in order: the tests read the history of each partition from it. */
export type GroupEvent =
  | { kind: 'assigned'; at: number; group: string; member: string; partition: string; epoch: number }
  | { kind: 'revoked'; at: number; group: string; member: string; partition: string }
  | { kind: 'released'; at: number; group: string; member: string; partition: string }
  | { kind: 'removed'; at: number; group: string; member: string; why: string }
  | { kind: 'commit'; at: number; group: string; member: string; partition: string; offset: number };

interface FakeMember {
  id: string;
  instanceId: string;
  clientId: string;
  host: string;
  topics: string[];
  regex: RegExp | undefined;
  regexSource: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  epoch: number;
  previousEpoch: number;
  /** The assignment last sent: what the member may own. */
  assigned: Set<string>;
  /** What it last reported owning. */
  owned: Set<string>;
  /** Taken out of its assignment and not yet reported released (KIP-848's partitions pending
   * revocation): still held by it, whatever it reported before. */
  pendingRevocation: Set<string>;
  lastHeard: number;
  channel: MemberChannel | undefined;
  /** Since when a revocation it was sent is unacknowledged. */
  revokeSince: number | undefined;
}

interface StoredOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

interface FakeGroup {
  id: string;
  epoch: number;
  assignor: string;
  members: Map<string, FakeMember>;
  target: Map<string, Set<string>>;
  offsets: Map<string, StoredOffset>;
}

const key = partitionKey;

function toWire(keys: Iterable<string>): TopicPartitions[] {
  const topics = new Map<string, number[]>();
  for (const k of [...keys].sort()) {
    const topic = topicOfKey(k);
    const p = Number(k.slice(topic.length + 1));
    let list = topics.get(topic);
    if (!list) topics.set(topic, (list = []));
    list.push(p);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

function fromWire(list: readonly { topic: string; partitions: readonly number[] }[]): Set<string> {
  return new Set(list.flatMap((t) => t.partitions.map((p) => key(t.topic, p))));
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));

export class FakeGroups {
  readonly config: FakeGroupsConfig;
  readonly groups = new Map<string, FakeGroup>();
  readonly violations: string[] = [];
  readonly events: GroupEvent[] = [];
  /** Heartbeats received, per member id. */
  readonly heartbeats = new Map<string, number>();
  /** Topic name -> partition count, as the cluster has them. */
  private topics = new Map<string, number>();
  private readonly channels = new Map<MemberChannel, { group: string; member: string }>();
  private nextId = 1;
  private readonly now: () => number;

  constructor(config: Partial<FakeGroupsConfig> = {}, now: () => number = Date.now) {
    this.config = { ...DEFAULT_FAKE_CONFIG, ...config };
    this.now = now;
  }

  // ---- topics -------------------------------------------------------------------------------

  /** The cluster's topics changed (created, more partitions): groups whose matching set moved rebalance. */
  setTopics(topics: ReadonlyMap<string, number>): void {
    const before = new Map([...this.groups.values()].map((g) => [g.id, this.signature(g)]));
    this.topics = new Map(topics);
    for (const g of this.groups.values()) if (before.get(g.id) !== this.signature(g)) this.bump(g);
  }

  private memberTopics(m: FakeMember): Set<string> {
    if (m.regex) return new Set([...this.topics.keys()].filter((t) => !t.startsWith('__') && m.regex!.test(t)));
    return new Set(m.topics.filter((t) => this.topics.has(t)));
  }

  private signature(g: FakeGroup): string {
    return [...g.members.values()].map((m) => [...this.memberTopics(m)].sort().map((t) => `${t}:${this.topics.get(t)}`).join(',')).sort().join('|');
  }

  // ---- membership ---------------------------------------------------------------------------

  private group(id: string): FakeGroup {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { id, epoch: 0, assignor: 'uniform', members: new Map(), target: new Map(), offsets: new Map() }));
    return g;
  }

  private fail(channel: MemberChannel, errorCode: ErrorCodeValue, errorMessage: string): void {
    channel.send({ errorCode, errorMessage });
    channel.end();
  }

  /** The first message of a stream. */
  join(channel: MemberChannel, join: GroupJoin__Output): void {
    if (!join.groupId) return this.fail(channel, ErrorCode.INVALID_GROUP_ID, 'group id is empty');
    const sessionTimeoutMs = join.sessionTimeoutMs === 0 ? this.config.sessionTimeoutMs : join.sessionTimeoutMs;
    if (sessionTimeoutMs < this.config.minSessionTimeoutMs || sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return this.fail(channel, ErrorCode.INVALID_SESSION_TIMEOUT, `session timeout ${sessionTimeoutMs} is outside [${this.config.minSessionTimeoutMs}, ${this.config.maxSessionTimeoutMs}]`);
    }
    const assignor = join.assignor || 'uniform';
    if (assignor !== 'uniform' && assignor !== 'range') return this.fail(channel, ErrorCode.UNSUPPORTED_ASSIGNOR, `assignor ${assignor}`);
    let regex: RegExp | undefined;
    if (join.subscribedTopicRegex) {
      try {
        regex = new RegExp(`^(?:${join.subscribedTopicRegex})$`);
      } catch {
        return this.fail(channel, ErrorCode.INVALID_REQUEST, `bad regex ${join.subscribedTopicRegex}`);
      }
    }
    const g = this.group(join.groupId);
    const now = this.now();
    const fields = {
      instanceId: join.instanceId, clientId: join.clientId, host: join.clientHost, topics: [...join.subscribedTopics], regex,
      regexSource: join.subscribedTopicRegex, sessionTimeoutMs, rebalanceTimeoutMs: join.rebalanceTimeoutMs || 300_000,
    };
    let member: FakeMember;
    if (join.memberId) {
      const existing = g.members.get(join.memberId);
      if (!existing) return this.fail(channel, ErrorCode.UNKNOWN_MEMBER_ID, `member ${join.memberId} is not in group ${g.id}`);
      if (join.memberEpoch !== 0 && join.memberEpoch !== existing.epoch && join.memberEpoch !== existing.previousEpoch) {
        this.remove(g, existing, 'fenced epoch on rejoin');
        return this.fail(channel, ErrorCode.FENCED_MEMBER_EPOCH, `epoch ${join.memberEpoch} is not ${existing.epoch}`);
      }
      if (existing.channel && existing.channel !== channel) {
        this.channels.delete(existing.channel);
        existing.channel.end();
      }
      member = existing;
      Object.assign(member, fields);
      member.owned = join.memberEpoch === 0 ? new Set() : fromWire(join.owned);
      member.pendingRevocation = new Set([...member.pendingRevocation].filter((k) => member.owned.has(k)));
      if (join.memberEpoch === 0) member.assigned = new Set(); // it abandoned everything: a new start
    } else if (join.instanceId && [...g.members.values()].some((m) => m.instanceId === join.instanceId)) {
      const previous = [...g.members.values()].find((m) => m.instanceId === join.instanceId)!;
      if (previous.channel) return this.fail(channel, ErrorCode.UNRELEASED_INSTANCE_ID, `instance ${join.instanceId} is still in use by member ${previous.id}`);
      // A static member back within its session: the new incarnation takes the old one's place and
      // assignment, without a rebalance.
      g.members.delete(previous.id);
      member = { ...previous, ...fields, id: `member-${this.nextId++}`, owned: new Set(), pendingRevocation: new Set(), channel, lastHeard: now };
      g.members.set(member.id, member);
      g.target.set(member.id, g.target.get(previous.id) ?? new Set());
      g.target.delete(previous.id);
      for (const k of member.assigned) this.events.push({ kind: 'assigned', at: now, group: g.id, member: member.id, partition: k, epoch: member.epoch });
    } else {
      if (g.members.size >= this.config.maxGroupSize) return this.fail(channel, ErrorCode.GROUP_MAX_SIZE_REACHED, `group ${g.id} has ${g.members.size} members`);
      member = { id: `member-${this.nextId++}`, ...fields, epoch: 0, previousEpoch: 0, assigned: new Set(), owned: new Set(), pendingRevocation: new Set(), lastHeard: now, channel, revokeSince: undefined };
      g.members.set(member.id, member);
    }
    member.lastHeard = now;
    g.assignor = assignor;
    // The rebalance first (the joiner's own new assignment goes into the answer below), then the answer:
    // who it is, and what it may own now.
    member.channel = undefined;
    this.bump(g);
    member.channel = channel;
    this.channels.set(channel, { group: g.id, member: member.id });
    channel.send({
      memberId: member.id, memberEpoch: member.epoch, heartbeatIntervalMs: this.config.heartbeatIntervalMs, groupEpoch: g.epoch,
      hasAssignment: true, assignment: toWire(member.assigned),
    });
  }

  private memberOf(channel: MemberChannel): { g: FakeGroup; m: FakeMember } | undefined {
    const at = this.channels.get(channel);
    const g = at && this.groups.get(at.group);
    const m = at && g?.members.get(at.member);
    return g && m ? { g, m } : undefined;
  }

  heartbeat(channel: MemberChannel, epoch: number, owned: readonly TopicPartitions__Output[]): void {
    const found = this.memberOf(channel);
    if (!found) return this.fail(channel, ErrorCode.UNKNOWN_MEMBER_ID, 'not a member');
    const { g, m } = found;
    const reported = fromWire(owned);
    // Kafka's rule: the current epoch, or the previous one with nothing beyond the current assignment.
    const previousOk = epoch === m.previousEpoch && [...reported].every((k) => m.assigned.has(k));
    if (epoch !== m.epoch && !previousOk) {
      this.remove(g, m, `heartbeat with epoch ${epoch}, member at ${m.epoch}`, ErrorCode.FENCED_MEMBER_EPOCH);
      return;
    }
    m.lastHeard = this.now();
    this.heartbeats.set(m.id, (this.heartbeats.get(m.id) ?? 0) + 1);
    this.setOwned(g, m, reported);
  }

  private setOwned(g: FakeGroup, m: FakeMember, owned: Set<string>): void {
    const now = this.now();
    for (const k of m.pendingRevocation) {
      if (owned.has(k)) continue;
      m.pendingRevocation.delete(k);
      this.events.push({ kind: 'released', at: now, group: g.id, member: m.id, partition: k });
    }
    m.owned = owned;
    if (m.pendingRevocation.size === 0) m.revokeSince = undefined;
    this.reconcile(g);
  }

  leave(channel: MemberChannel, epoch: number): void {
    const found = this.memberOf(channel);
    if (!found) return this.fail(channel, ErrorCode.UNKNOWN_MEMBER_ID, 'not a member');
    const { g, m } = found;
    this.channels.delete(channel);
    if (epoch === -2 && m.instanceId) {
      // A static member stepping away keeps its assignment for its session.
      m.channel = undefined;
      m.owned = new Set();
      m.pendingRevocation = new Set();
      channel.send({ memberId: m.id, memberEpoch: -2 });
      channel.end();
      this.reconcile(g);
      return;
    }
    channel.send({ memberId: m.id, memberEpoch: -1 });
    this.remove(g, m, 'left');
  }

  /** The stream ended or broke without a leave. */
  channelClosed(channel: MemberChannel): void {
    const found = this.memberOf(channel);
    this.channels.delete(channel);
    if (!found) return;
    const { g, m } = found;
    if (m.channel !== channel) return;
    m.channel = undefined;
    // A dynamic member ends with its stream; a static one stays for its session.
    if (!m.instanceId) this.remove(g, m, 'stream closed');
  }

  /** Failover: every stream is gone, the groups stay (a new coordinator loaded them). */
  detachAll(): void {
    for (const [channel, at] of this.channels) {
      const m = this.groups.get(at.group)?.members.get(at.member);
      if (m && m.channel === channel) m.channel = undefined;
    }
    this.channels.clear();
  }

  private remove(g: FakeGroup, m: FakeMember, why: string, errorCode?: ErrorCodeValue): void {
    if (g.members.get(m.id) !== m) return;
    g.members.delete(m.id);
    g.target.delete(m.id);
    this.events.push({ kind: 'removed', at: this.now(), group: g.id, member: m.id, why });
    if (m.channel) {
      this.channels.delete(m.channel);
      if (errorCode !== undefined) m.channel.send({ errorCode, errorMessage: why });
      m.channel.end();
      m.channel = undefined;
    }
    this.bump(g);
  }

  /** Sessions and rebalance timeouts. */
  tick(): void {
    const now = this.now();
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) {
        if (now - m.lastHeard > m.sessionTimeoutMs) this.remove(g, m, 'session timed out', ErrorCode.UNKNOWN_MEMBER_ID);
        else if (m.revokeSince !== undefined && now - m.revokeSince > m.rebalanceTimeoutMs) this.remove(g, m, 'revocation timed out', ErrorCode.FENCED_MEMBER_EPOCH);
      }
    }
  }

  // ---- assignment ---------------------------------------------------------------------------

  /** A membership, subscription or topic change: new group epoch and target assignment. */
  private bump(g: FakeGroup): void {
    g.epoch++;
    const members: AssignorMember[] = [...g.members.values()].map((m) => ({ id: m.id, topics: this.memberTopics(m), current: m.assigned }));
    g.target = (g.assignor === 'range' ? rangeAssignor : uniformAssignor)(members, this.topics);
    this.reconcile(g);
  }

  private heldByOther(g: FakeGroup, self: FakeMember, k: string): boolean {
    for (const m of g.members.values()) if (m !== self && (m.assigned.has(k) || m.owned.has(k) || m.pendingRevocation.has(k))) return true;
    return false;
  }

  /**
   * Moves each member towards its target as KIP-848's CurrentAssignmentBuilder does: a member with
   * partitions to give up is sent its shrunk assignment and keeps its epoch until it reports them
   * released; then it moves to the group's epoch and gets the target's partitions no one else holds
   * (more follow, same epoch, as their owners release them).
   */
  private reconcile(g: FakeGroup): void {
    const now = this.now();
    for (const m of g.members.values()) {
      const target = g.target.get(m.id) ?? new Set<string>();
      let next: Set<string>;
      let epoch = m.epoch;
      if ([...m.assigned].some((k) => !target.has(k))) {
        next = new Set([...m.assigned].filter((k) => target.has(k)));
      } else if (m.pendingRevocation.size > 0) {
        continue; // the revocation is not acknowledged yet
      } else {
        next = new Set(m.assigned);
        for (const k of target) if (!this.heldByOther(g, m, k)) next.add(k);
        epoch = g.epoch;
      }
      if (sameSet(next, m.assigned) && epoch === m.epoch) continue;
      for (const k of m.assigned) {
        if (next.has(k)) continue;
        m.pendingRevocation.add(k);
        this.events.push({ kind: 'revoked', at: now, group: g.id, member: m.id, partition: k });
      }
      for (const k of next) if (!m.assigned.has(k)) this.events.push({ kind: 'assigned', at: now, group: g.id, member: m.id, partition: k, epoch });
      if (epoch !== m.epoch) {
        m.previousEpoch = m.epoch;
        m.epoch = epoch;
      }
      m.assigned = next;
      if (m.pendingRevocation.size > 0) m.revokeSince ??= now;
      m.channel?.send({ memberId: m.id, memberEpoch: m.epoch, heartbeatIntervalMs: this.config.heartbeatIntervalMs, groupEpoch: g.epoch, hasAssignment: true, assignment: toWire(next) });
    }
    this.checkOneOwner(g);
  }

  private checkOneOwner(g: FakeGroup): void {
    const holders = new Map<string, string[]>();
    for (const m of g.members.values()) {
      for (const k of new Set([...m.assigned, ...m.owned, ...m.pendingRevocation])) {
        let list = holders.get(k);
        if (!list) holders.set(k, (list = []));
        list.push(m.id);
      }
    }
    for (const [k, list] of holders) {
      if (list.length > 1) this.violations.push(`group ${g.id}: ${k.replace('\u0000', '-')} held by ${list.join(' and ')}`);
    }
  }

  // ---- offsets and admin --------------------------------------------------------------------

  /** Kafka's validation of a commit (KIP-848): a member with its current epoch, or nobody while the group is empty. */
  private commitError(g: FakeGroup | undefined, memberId: string, memberEpoch: number): ErrorCodeValue {
    if (memberEpoch < 0 && memberId === '') return g && g.members.size > 0 ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE;
    const m = g?.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberEpoch !== m.epoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  commit(req: OffsetCommitRequest__Output): OffsetCommitResponse {
    const g = this.groups.get(req.groupId);
    const code = this.commitError(g, req.memberId, req.memberEpoch);
    const now = this.now();
    const target = code === ErrorCode.NONE ? this.group(req.groupId) : undefined;
    return {
      errorCode: ErrorCode.NONE,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (target) {
            target.offsets.set(key(t.name, p.partition), { offset: p.offset, leaderEpoch: p.leaderEpoch, metadata: p.metadata });
            this.events.push({ kind: 'commit', at: now, group: req.groupId, member: req.memberId, partition: key(t.name, p.partition), offset: p.offset });
          }
          return { partition: p.partition, errorCode: code, errorMessage: '' };
        }),
      })),
    };
  }

  fetch(req: OffsetFetchRequest__Output): OffsetFetchResponse {
    const g = this.groups.get(req.groupId);
    if (req.memberId) {
      const code = this.commitError(g, req.memberId, req.memberEpoch);
      if (code !== ErrorCode.NONE) return { errorCode: code, errorMessage: 'member check', topics: [] };
    }
    const asked = req.topics.length > 0
      ? req.topics.map((t) => ({ name: t.topic, partitions: [...t.partitions] }))
      : [...new Set([...(g?.offsets.keys() ?? [])].map(topicOfKey))].map((name) => ({
        name,
        partitions: [...g!.offsets.keys()].filter((k) => topicOfKey(k) === name).map((k) => Number(k.slice(name.length + 1))),
      }));
    return {
      errorCode: ErrorCode.NONE,
      topics: asked.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const o = g?.offsets.get(key(t.name, p));
          return { partition: p, offset: o?.offset ?? -1, leaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  deleteOffsets(req: OffsetDeleteRequest__Output): OffsetDeleteResponse {
    const g = this.groups.get(req.groupId);
    if (!g) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${req.groupId}`, topics: [] };
    const subscribed = new Set([...g.members.values()].flatMap((m) => [...this.memberTopics(m)]));
    return {
      errorCode: ErrorCode.NONE,
      topics: req.topics.map((t) => ({
        name: t.topic,
        partitions: t.partitions.map((p) => {
          if (subscribed.has(t.topic)) return { partition: p, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, errorMessage: '' };
          g.offsets.delete(key(t.topic, p));
          return { partition: p, errorCode: ErrorCode.NONE, errorMessage: '' };
        }),
      })),
    };
  }

  state(g: FakeGroup): string {
    if (g.members.size === 0) return 'Empty';
    for (const m of g.members.values()) {
      const target = g.target.get(m.id) ?? new Set<string>();
      if (!sameSet(m.assigned, target) || !sameSet(m.owned, m.assigned) || m.pendingRevocation.size > 0) return 'Reconciling';
    }
    return 'Stable';
  }

  /** The group's state by id ('Dead' when there is no such group). */
  stateOf(id: string): string {
    const g = this.groups.get(id);
    return g ? this.state(g) : 'Dead';
  }

  describe(id: string, coordinatorId: number): DescribedGroup {
    const g = this.groups.get(id);
    if (!g) return { groupId: id, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${id} does not exist`, state: 'Dead', coordinatorId };
    return {
      groupId: id,
      errorCode: ErrorCode.NONE,
      state: this.state(g),
      groupEpoch: g.epoch,
      assignmentEpoch: g.epoch,
      assignor: g.assignor,
      coordinatorId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        instanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.host,
        memberEpoch: m.epoch,
        subscribedTopics: m.topics,
        subscribedTopicRegex: m.regexSource,
        assignment: toWire(m.assigned),
        pending: toWire([...(g.target.get(m.id) ?? [])].filter((k) => !m.assigned.has(k))),
      })),
    };
  }

  deleteGroup(id: string): DeletedGroup {
    const g = this.groups.get(id);
    if (!g) return { groupId: id, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: '' };
    if (g.members.size > 0) return { groupId: id, errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: `group ${id} has ${g.members.size} members` };
    this.groups.delete(id);
    return { groupId: id, errorCode: ErrorCode.NONE, errorMessage: '' };
  }

  list(states: readonly string[]): ListedGroup[] {
    return [...this.groups.values()]
      .map((g) => ({ groupId: g.id, state: this.state(g), groupType: 'consumer' }))
      .filter((g) => states.length === 0 || states.some((s) => s.toLowerCase() === g.state.toLowerCase()));
  }

  /** Fences a member as the coordinator does when its epoch is wrong (for the tests). */
  fence(group: string, memberId: string): void {
    const g = this.groups.get(group);
    const m = g?.members.get(memberId);
    if (g && m) this.remove(g, m, 'fenced by the test', ErrorCode.FENCED_MEMBER_EPOCH);
  }

  /** Member ids of a group with what each holds (assigned), for the tests. */
  assignments(group: string): Map<string, string[]> {
    const g = this.groups.get(group);
    return new Map([...(g?.members.values() ?? [])].map((m) => [m.id, [...m.assigned].sort()]));
  }
}
