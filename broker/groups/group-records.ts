// The records of __consumer_offsets: keyed, so compaction keeps the newest per key and a tombstone
// (null value) deletes one. Two kinds:
//   key type 1, offset commit: group, topic, partition -> offset, leader epoch, metadata, commit time
//   key type 2, group:         group -> the persistent state of its membership (epochs, members,
//                              their subscriptions and assignments, the target assignment)
// Big-endian, as Kafka's own: int16 key type first, int16 value version first; strings are an int32
// byte length (-1 for none) and UTF-8. A value of a newer version than this broker knows is refused
// with UNSUPPORTED_VERSION and never misread; bytes that do not parse are CORRUPT_MESSAGE. A key of
// an unknown type decodes as such, so a loader can skip it (Kafka's loader skips unknown record
// types the same way: a left-over of an aborted upgrade). The layouts are Strait's, not Kafka's.
import { ErrorCode, StraitError } from '../../client/index.js';
import { assignmentOf, type Assignment } from './assignment.js';
import type { GroupMember, GroupSnapshot } from './consumer-group.js';
import type { MemberAssignmentStatus } from './reconciliation.js';

export const OFFSET_COMMIT_KEY_TYPE = 1;
export const GROUP_KEY_TYPE = 2;
/** The newest value versions this broker writes and reads. */
export const OFFSET_COMMIT_VALUE_VERSION = 1;
export const GROUP_VALUE_VERSION = 1;

export type RecordKey =
  | { readonly type: 'offset'; readonly group: string; readonly topic: string; readonly partition: number }
  | { readonly type: 'group'; readonly group: string }
  | { readonly type: 'unknown'; readonly keyType: number };

export interface OffsetCommitValue {
  readonly offset: number;
  /** The leader epoch of the last record consumed, -1 when unknown. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestampMs: number;
}

const STATUSES: readonly MemberAssignmentStatus[] = ['stable', 'unrevoked', 'unreleased'];

class Writer {
  private buf = Buffer.alloc(256);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  int8(v: number): this { this.room(1); this.buf.writeInt8(v, this.at); this.at += 1; return this; }
  int16(v: number): this { this.room(2); this.buf.writeInt16BE(v, this.at); this.at += 2; return this; }
  int32(v: number): this { this.room(4); this.buf.writeInt32BE(v, this.at); this.at += 4; return this; }
  int64(v: number): this { this.room(8); this.buf.writeBigInt64BE(BigInt(v), this.at); this.at += 8; return this; }

  string(v: string | undefined): this {
    if (v === undefined) return this.int32(-1);
    const bytes = Buffer.from(v, 'utf8');
    this.int32(bytes.length);
    this.room(bytes.length);
    bytes.copy(this.buf, this.at);
    this.at += bytes.length;
    return this;
  }

  strings(list: readonly string[]): this {
    this.int32(list.length);
    for (const s of list) this.string(s);
    return this;
  }

  assignment(a: Assignment): this {
    this.int32(a.size);
    for (const [topic, partitions] of a) {
      this.string(topic).int32(partitions.length);
      for (const p of partitions) this.int32(p);
    }
    return this;
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }
}

class Reader {
  private at = 0;

  constructor(private readonly buf: Buffer, private readonly what: string) {}

  private need(n: number): number {
    if (n < 0 || this.at + n > this.buf.length) throw this.corrupt(`ends early at byte ${this.at}`);
    const at = this.at;
    this.at += n;
    return at;
  }

  corrupt(why: string): StraitError {
    return new StraitError(ErrorCode.CORRUPT_MESSAGE, `${this.what} ${why}`);
  }

  int8(): number { return this.buf.readInt8(this.need(1)); }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }

  int64(): number {
    const v = this.buf.readBigInt64BE(this.need(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw this.corrupt(`holds ${v}, beyond a safe integer`);
    return Number(v);
  }

  /** A count of items that each take at least minBytes: bounded by what is left. */
  count(minBytes: number): number {
    const n = this.int32();
    if (n < 0 || n * minBytes > this.buf.length - this.at) throw this.corrupt(`claims ${n} items in ${this.buf.length - this.at} bytes`);
    return n;
  }

  optionalString(): string | undefined {
    const n = this.int32();
    if (n === -1) return undefined;
    const at = this.need(n);
    return this.buf.toString('utf8', at, at + n);
  }

  string(): string {
    const s = this.optionalString();
    if (s === undefined) throw this.corrupt('has a null where a string belongs');
    return s;
  }

  strings(): string[] {
    return Array.from({ length: this.count(4) }, () => this.string());
  }

  assignment(): Assignment {
    const entries: [string, number[]][] = [];
    const topics = this.count(8);
    for (let i = 0; i < topics; i++) {
      const topic = this.string();
      const partitions = Array.from({ length: this.count(4) }, () => this.int32());
      if (partitions.some((p) => p < 0)) throw this.corrupt(`has a negative partition of ${topic}`);
      entries.push([topic, partitions]);
    }
    return assignmentOf(entries);
  }

  end(): void {
    if (this.at !== this.buf.length) throw this.corrupt(`has ${this.buf.length - this.at} bytes after its last field`);
  }
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new Writer().int16(OFFSET_COMMIT_KEY_TYPE).string(group).string(topic).int32(partition).done();
}

export function encodeGroupKey(group: string): Buffer {
  return new Writer().int16(GROUP_KEY_TYPE).string(group).done();
}

export function decodeKey(buf: Buffer): RecordKey {
  const r = new Reader(buf, 'a __consumer_offsets key');
  const keyType = r.int16();
  let key: RecordKey;
  if (keyType === OFFSET_COMMIT_KEY_TYPE) key = { type: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
  else if (keyType === GROUP_KEY_TYPE) key = { type: 'group', group: r.string() };
  else return { type: 'unknown', keyType };
  r.end();
  return key;
}

/** The value's version, refused when newer than `known` (never misread) or below 1. */
function versionOf(r: Reader, what: string, known: number): number {
  const version = r.int16();
  if (version > known) {
    throw new StraitError(ErrorCode.UNSUPPORTED_VERSION, `${what} value version ${version} is newer than ${known}, the newest this broker reads`);
  }
  if (version < 1) throw r.corrupt(`has version ${version}`);
  return version;
}

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  return new Writer().int16(OFFSET_COMMIT_VALUE_VERSION).int64(v.offset).int32(v.leaderEpoch).string(v.metadata).int64(v.commitTimestampMs).done();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf, 'an offset commit value');
  versionOf(r, 'offset commit', OFFSET_COMMIT_VALUE_VERSION);
  const value = { offset: r.int64(), leaderEpoch: r.int32(), metadata: r.string(), commitTimestampMs: r.int64() };
  r.end();
  return value;
}

export function encodeGroupValue(g: GroupSnapshot): Buffer {
  const w = new Writer().int16(GROUP_VALUE_VERSION)
    .int32(g.groupEpoch).int32(g.assignmentEpoch).string(g.subscriptionFingerprint).int64(g.emptySinceMs ?? -1)
    .int32(g.members.size);
  for (const m of g.members.values()) {
    w.string(m.memberId).string(m.instanceId).string(m.clientId).string(m.clientHost).string(m.rackId)
      .strings(m.subscribedTopicNames).string(m.subscribedTopicRegex).string(m.serverAssignor)
      .int32(m.sessionTimeoutMs).int32(m.rebalanceTimeoutMs).int32(m.memberEpoch).int32(m.previousMemberEpoch)
      .int8(STATUSES.indexOf(m.status))
      .assignment(m.assigned).assignment(m.pendingRevocation).assignment(g.target.get(m.memberId) ?? new Map());
  }
  return w.done();
}

export function decodeGroupValue(buf: Buffer): GroupSnapshot {
  const r = new Reader(buf, 'a group value');
  versionOf(r, 'group', GROUP_VALUE_VERSION);
  const groupEpoch = r.int32();
  const assignmentEpoch = r.int32();
  const subscriptionFingerprint = r.string();
  const emptySince = r.int64();
  const members = new Map<string, GroupMember>();
  const target = new Map<string, Assignment>();
  const count = r.count(4);
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const instanceId = r.optionalString();
    const clientId = r.string();
    const clientHost = r.string();
    const rackId = r.string();
    const subscribedTopicNames = r.strings();
    const subscribedTopicRegex = r.string();
    const serverAssignor = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = r.int32();
    const memberEpoch = r.int32();
    const previousMemberEpoch = r.int32();
    const statusCode = r.int8();
    const status = STATUSES[statusCode] ?? (() => { throw r.corrupt(`has member status ${statusCode}`); })();
    const assigned = r.assignment();
    const pendingRevocation = r.assignment();
    target.set(memberId, r.assignment());
    if (members.has(memberId)) throw r.corrupt(`names member ${memberId} twice`);
    members.set(memberId, {
      memberId, instanceId, clientId, clientHost, rackId, subscribedTopicNames, subscribedTopicRegex, serverAssignor,
      sessionTimeoutMs, rebalanceTimeoutMs, memberEpoch, previousMemberEpoch, status, assigned, pendingRevocation,
    });
  }
  r.end();
  return { groupEpoch, assignmentEpoch, subscriptionFingerprint, emptySinceMs: emptySince < 0 ? undefined : emptySince, members, target };
}
