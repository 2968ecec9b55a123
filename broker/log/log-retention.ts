// Which old segments retention removes (Kafka's deleteRetentionMsBreachedSegments and
// deleteRetentionSizeBreachedSegments): always a prefix of the log, never the active segment.

export interface RetentionCandidate {
  size: number;
  largestTimestamp: number;
}

export interface RetentionLimits {
  retentionMs: number;
  retentionBytes: number;
}

/**
 * How many of the oldest segments to delete. `inactive` lists every segment but the active one,
 * oldest first; `totalSize` counts all of them including the active one.
 * - time: a segment whose largest timestamp is more than retention.ms old goes, up to the first
 *   one that is not (a newer segment behind an older one waits for it, as in Kafka);
 * - size: while the log without the segment would still be at or above retention.bytes.
 */
export function retentionDeletableCount(inactive: RetentionCandidate[], totalSize: number, limits: RetentionLimits, now: number): number {
  let byTime = 0;
  if (limits.retentionMs >= 0) {
    while (byTime < inactive.length && now - inactive[byTime]!.largestTimestamp > limits.retentionMs) byTime++;
  }
  let bySize = 0;
  if (limits.retentionBytes >= 0) {
    let excess = totalSize - limits.retentionBytes;
    while (bySize < inactive.length && excess - inactive[bySize]!.size >= 0) {
      excess -= inactive[bySize]!.size;
      bySize++;
    }
  }
  return Math.max(byTime, bySize);
}
