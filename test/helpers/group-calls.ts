// Raw gRPC calls to the Groups service, and RawMember: one group member driven over its own
// GroupStream without the SDK. A member takes the assignment it is told (giving up what is no
// longer in it, taking what is new) and, unless told otherwise, acknowledges a revocation at once
// by heartbeating what it owns. It records every answer and every change of what it owns, into an
// optional OwnershipLedger shared by the members of a test, which fails the moment two members
// own one partition.
import * as grpc from '@grpc/grpc-js';
import { channelOptions, loadProtos } from '../../client/wire/proto.js';
import type { GroupsClient } from '../../client/wire/generated/strait/v1/Groups.js';
import type { GroupJoin } from '../../client/wire/generated/strait/v1/GroupJoin.js';
import type { GroupRequest } from '../../client/wire/generated/strait/v1/GroupRequest.js';
import type { GroupResponse__Output } from '../../client/wire/generated/strait/v1/GroupResponse.js';
import type { TopicPartitions } from '../../client/wire/generated/strait/v1/TopicPartitions.js';
import type { FindCoordinatorResponse__Output } from '../../client/wire/generated/strait/v1/FindCoordinatorResponse.js';
import type { OffsetCommitResponse__Output } from '../../client/wire/generated/strait/v1/OffsetCommitResponse.js';
import type { OffsetFetchResponse__Output } from '../../client/wire/generated/strait/v1/OffsetFetchResponse.js';
import type { DescribedGroup__Output } from '../../client/wire/generated/strait/v1/DescribedGroup.js';
import { ErrorCode } from '../../client/errors.js';
import { rpc, within } from './grpc-clients.js';

export function groupsClient(address: string): GroupsClient {
  const { proto } = loadProtos();
  return new proto.strait.v1.Groups(address, grpc.credentials.createInsecure(), channelOptions());
}

export function findCoordinator(client: GroupsClient, groupId: string): Promise<FindCoordinatorResponse__Output> {
  return rpc((cb) => client.FindCoordinator({ groupId }, within(15_000), cb));
}

export function commit(
  client: GroupsClient, groupId: string, memberId: string, memberEpoch: number, offsets: Record<string, Record<number, number>>, metadata = '',
): Promise<OffsetCommitResponse__Output> {
  return rpc((cb) => client.OffsetCommit({
    groupId, memberId, memberEpoch,
    topics: Object.entries(offsets).map(([name, ps]) => ({ name, partitions: Object.entries(ps).map(([p, offset]) => ({ partition: Number(p), offset, leaderEpoch: -1, metadata })) })),
  }, within(15_000), cb));
}

/** Every committed offset of the group as { "topic-partition": offset }. */
export async function committedOffsets(client: GroupsClient, groupId: string): Promise<Record<string, number>> {
  const res = await rpc<OffsetFetchResponse__Output>((cb) => client.OffsetFetch({ groupId, topics: [] }, within(15_000), cb));
  if (res.errorCode !== 0) throw new Error(`OffsetFetch ${groupId}: error ${res.errorCode} ${res.errorMessage}`);
  const out: Record<string, number> = {};
  for (const t of res.topics) for (const p of t.partitions) out[`${t.name}-${p.partition}`] = p.offset;
  return out;
}

export async function describeGroup(client: GroupsClient, groupId: string): Promise<DescribedGroup__Output> {
  const res = await rpc<{ groups: DescribedGroup__Output[] }>((cb) => client.DescribeGroups({ groupIds: [groupId] }, within(15_000), cb));
  return res.groups[0]!;
}

const key = (topic: string, partition: number): string => `${topic}-${partition}`;

/** Who owns what, across the members of a test: a partition owned twice fails at once. */
export class OwnershipLedger {
  private readonly owner = new Map<string, string>();
  readonly violations: string[] = [];

  take(member: string, tp: string): void {
    const current = this.owner.get(tp);
    if (current !== undefined && current !== member) this.violations.push(`${tp} taken by ${member} while ${current} owns it`);
    this.owner.set(tp, member);
  }

  release(member: string, tp: string): void {
    if (this.owner.get(tp) === member) this.owner.delete(tp);
  }
}

export interface RawMemberOptions {
  /** Acknowledge a revocation by heartbeating at once (default true). */
  autoAck?: boolean;
  /** Never give a partition up: keep reporting what it owned (a member stuck in its revoke listener). */
  holdRevoked?: boolean;
  /** Heartbeat this often while not paused (default: never on its own). */
  heartbeatMs?: number;
  ledger?: OwnershipLedger;
  name?: string;
}

export class RawMember {
  readonly responses: GroupResponse__Output[] = [];
  /** Every partition this member gave up, in order, with when. */
  readonly released: { tp: string; at: number }[] = [];
  /** Every partition it took, in order. */
  readonly taken: { tp: string; at: number }[] = [];
  memberId = '';
  memberEpoch = 0;
  /** When it last sent anything (the coordinator heard from it no sooner). */
  lastSentAt = 0;
  owned = new Set<string>();
  ended = false;
  private closedByUs = false;
  private stream: grpc.ClientDuplexStream<GroupRequest, GroupResponse__Output>;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  readonly name: string;

  constructor(client: GroupsClient, private readonly join: GroupJoin, private readonly options: RawMemberOptions = {}) {
    this.name = options.name ?? 'member';
    this.stream = this.open(client);
    this.send({ join });
    if (options.heartbeatMs) {
      // As a KIP-848 member does, it heartbeats only once its join is answered (it has an id and epoch).
      this.timer = setInterval(() => { if (!this.paused && !this.ended && this.memberId !== '') this.heartbeat(); }, options.heartbeatMs);
    }
  }

  /**
   * A new stream (to another coordinator, after the old one went): it rejoins with its member id,
   * the epoch it had and what it owns, as a member that lost its coordinator does (KIP-848).
   */
  reconnect(client: GroupsClient): void {
    this.stream.removeAllListeners();
    this.stream.on('error', () => {});
    if (!this.ended) this.stream.cancel();
    this.stream = this.open(client);
    this.ended = false;
    this.closedByUs = false;
    this.rejoin();
  }

  private open(client: GroupsClient): grpc.ClientDuplexStream<GroupRequest, GroupResponse__Output> {
    const stream = client.GroupStream();
    stream.on('data', (r: GroupResponse__Output) => this.onResponse(r));
    stream.on('error', () => { this.ended = true; });
    stream.on('end', () => { this.ended = true; });
    return stream;
  }

  /** What it owns as the wire lists it. */
  ownedWire(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const tp of this.owned) {
      const at = tp.lastIndexOf('-');
      const topic = tp.slice(0, at);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(Number(tp.slice(at + 1)));
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  ownedList(): string[] {
    return [...this.owned].sort();
  }

  send(request: GroupRequest): void {
    if (this.ended || this.closedByUs) return;
    this.lastSentAt = Date.now();
    this.stream.write(request);
  }

  heartbeat(epoch = this.memberEpoch): void {
    this.send({ heartbeat: { memberEpoch: epoch, owned: this.ownedWire() } });
  }

  /** Rejoin on this stream (after an error) with its id and the epoch it had, or as new with 0. */
  rejoin(overrides: Partial<GroupJoin> = {}): void {
    this.send({ join: { ...this.join, memberId: this.memberId, memberEpoch: this.memberEpoch, owned: this.ownedWire(), ...overrides } });
  }

  leave(epoch = -1): void {
    this.send({ leave: { memberEpoch: epoch } });
  }

  /** Stops heartbeating (the stream stays open): its session runs out. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Gives up everything it owns (what a member does after an error that fences it). */
  dropAll(): void {
    for (const tp of [...this.owned]) this.release(tp);
  }

  /** Half-closes the stream: it sends nothing more, answers still arrive until the coordinator ends it. */
  close(): void {
    clearInterval(this.timer);
    if (!this.ended) this.stream.end();
    this.closedByUs = true;
  }

  cancel(): void {
    clearInterval(this.timer);
    this.stream.cancel();
    this.ended = true;
  }

  /** The last error answer, if the last answer was one. */
  lastError(): number {
    const last = this.responses[this.responses.length - 1];
    return last?.errorCode ?? 0;
  }

  async waitFor(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}; owned ${this.ownedList().join(',')}, last answers ${JSON.stringify(this.responses.slice(-3))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private onResponse(r: GroupResponse__Output): void {
    this.responses.push(r);
    // A member the coordinator no longer knows, or fenced, gives up everything (KIP-848).
    if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || r.errorCode === ErrorCode.FENCED_MEMBER_EPOCH) this.dropAll();
    if (r.errorCode !== 0) return;
    if (r.memberId !== '') this.memberId = r.memberId;
    if (r.memberEpoch >= 0) this.memberEpoch = r.memberEpoch;
    if (!r.hasAssignment) return;
    const next = new Set(r.assignment.flatMap((t) => t.partitions.map((p) => key(t.topic, p))));
    let revoked = false;
    if (!this.options.holdRevoked) for (const tp of [...this.owned]) if (!next.has(tp)) { this.release(tp); revoked = true; }
    for (const tp of next) {
      if (this.owned.has(tp)) continue;
      this.owned.add(tp);
      this.taken.push({ tp, at: Date.now() });
      this.options.ledger?.take(this.name, tp);
    }
    if (revoked && (this.options.autoAck ?? true)) this.heartbeat();
  }

  private release(tp: string): void {
    this.owned.delete(tp);
    this.released.push({ tp, at: Date.now() });
    this.options.ledger?.release(this.name, tp);
  }
}

/**
 * Waits until the group is Stable at the coordinator and every member has heard of it: its epoch and
 * what it owns are the coordinator's. (A member can own its final partitions before the answer
 * carrying its final epoch arrives; a commit with the older epoch would be STALE_MEMBER_EPOCH.)
 */
export async function waitForStable(client: GroupsClient, groupId: string, members: readonly RawMember[], timeoutMs = 20_000): Promise<DescribedGroup__Output> {
  const deadline = Date.now() + timeoutMs;
  let last: DescribedGroup__Output | undefined;
  for (;;) {
    last = await describeGroup(client, groupId).catch(() => undefined);
    if (last?.state === 'Stable' && members.every((m) => {
      const d = last!.members.find((x) => x.memberId === m.memberId);
      const assigned = d?.assignment.flatMap((t) => t.partitions.map((p) => key(t.topic, p))).sort() ?? [];
      return d !== undefined && d.memberEpoch === m.memberEpoch && assigned.join() === m.ownedList().join();
    })) return last;
    if (Date.now() > deadline) throw new Error(`group ${groupId} not stable with its members after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until probe holds; on timeout names what every member owns and its last answers. */
export async function waitForMembers(members: readonly RawMember[], what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) {
      const state = members.map((m) => `${m.name} (${m.memberId}, epoch ${m.memberEpoch}${m.ended ? ', ended' : ''}): owns ${m.ownedList().join(',')}; last answers ${JSON.stringify(m.responses.slice(-3))}`);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${state.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
