// What one __consumer_offsets partition holds, in memory: the groups placed on it (their membership
// state) and their committed offsets. Loading replays the partition's records into it in offset
// order (the newest value per key wins, a tombstone deletes); after that the coordinator changes it
// together with each record it appends, so memory is always the leader's log.
import { ErrorCode, StraitError } from '../../client/index.js';
import { tpKey } from './assignment.js';
import { ConsumerGroup } from './consumer-group.js';
import {
  decodeGroupValue, decodeKey, decodeOffsetCommitValue, encodeGroupKey, encodeGroupValue, encodeOffsetCommitKey,
  encodeOffsetCommitValue, type OffsetCommitValue,
} from './group-records.js';
import type { CoordinatorRecord } from './coordinator-log.js';

export interface StoredOffset extends OffsetCommitValue {
  readonly topic: string;
  readonly partition: number;
}

export type ReplayOutcome = 'applied' | 'unknown-type';

export class CoordinatorState {
  readonly groups = new Map<string, ConsumerGroup>();
  /** Committed offsets by group, then by tpKey. */
  readonly offsets = new Map<string, Map<string, StoredOffset>>();

  /** Applies one record of the partition; throws StraitError for a record it must not guess at. */
  replay(key: Buffer | null, value: Buffer | null): ReplayOutcome {
    if (key === null) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, 'a __consumer_offsets record without a key');
    const k = decodeKey(key);
    switch (k.type) {
      case 'unknown':
        return 'unknown-type';
      case 'offset':
        if (value === null) this.deleteOffset(k.group, k.topic, k.partition);
        else this.setOffset(k.group, { topic: k.topic, partition: k.partition, ...decodeOffsetCommitValue(value) });
        return 'applied';
      case 'group':
        if (value === null) this.groups.delete(k.group);
        else this.groups.set(k.group, new ConsumerGroup(k.group, decodeGroupValue(value)));
        return 'applied';
    }
  }

  /** A group exists while it has a membership record or a committed offset. */
  exists(groupId: string): boolean {
    return this.groups.has(groupId) || (this.offsets.get(groupId)?.size ?? 0) > 0;
  }

  groupIds(): Set<string> {
    return new Set([...this.groups.keys(), ...[...this.offsets].filter(([, m]) => m.size > 0).map(([g]) => g)]);
  }

  committed(groupId: string): ReadonlyMap<string, StoredOffset> {
    return this.offsets.get(groupId) ?? new Map();
  }

  offset(groupId: string, topic: string, partition: number): StoredOffset | undefined {
    return this.offsets.get(groupId)?.get(tpKey(topic, partition));
  }

  setOffset(groupId: string, offset: StoredOffset): void {
    let byPartition = this.offsets.get(groupId);
    if (!byPartition) this.offsets.set(groupId, (byPartition = new Map()));
    byPartition.set(tpKey(offset.topic, offset.partition), offset);
  }

  deleteOffset(groupId: string, topic: string, partition: number): void {
    const byPartition = this.offsets.get(groupId);
    if (!byPartition) return;
    byPartition.delete(tpKey(topic, partition));
    if (byPartition.size === 0) this.offsets.delete(groupId);
  }

  /** Forgets the group and its offsets. */
  deleteGroup(groupId: string): void {
    this.groups.delete(groupId);
    this.offsets.delete(groupId);
  }
}

export function groupRecord(group: ConsumerGroup): CoordinatorRecord {
  return { key: encodeGroupKey(group.groupId), value: encodeGroupValue(group.snapshot()) };
}

export function groupTombstone(groupId: string): CoordinatorRecord {
  return { key: encodeGroupKey(groupId), value: null };
}

export function offsetRecord(groupId: string, offset: StoredOffset): CoordinatorRecord {
  return { key: encodeOffsetCommitKey(groupId, offset.topic, offset.partition), value: encodeOffsetCommitValue(offset) };
}

export function offsetTombstone(groupId: string, topic: string, partition: number): CoordinatorRecord {
  return { key: encodeOffsetCommitKey(groupId, topic, partition), value: null };
}
