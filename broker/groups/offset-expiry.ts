// Which committed offsets have expired (offsets.retention.minutes), and whether the group goes
// with them. Pure. Kafka's classic rule, as the team's design asks: only a group without members
// loses offsets, each one retention after the later of its commit and the time the group became
// empty (a group that never had members: after its commit). A group left with no members and no
// offsets is deleted (Kafka deletes such a group at the same check).
import type { StoredOffset } from './coordinator-state.js';

export interface ExpiryVerdict {
  readonly expired: readonly StoredOffset[];
  /** Nothing of the group is left: its membership record goes too. */
  readonly groupGone: boolean;
}

export function expireOffsets(
  group: { readonly memberCount: number; readonly emptySinceMs: number | undefined } | undefined,
  offsets: ReadonlyMap<string, StoredOffset>, now: number, retentionMs: number,
): ExpiryVerdict {
  if (group && group.memberCount > 0) return { expired: [], groupGone: false };
  const emptySince = group?.emptySinceMs ?? 0;
  const expired = [...offsets.values()].filter((o) => now - Math.max(o.commitTimestampMs, emptySince) >= retentionMs);
  return { expired, groupGone: expired.length === offsets.size };
}
