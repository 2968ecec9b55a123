// Kafka's replication throttles on this node (ReplicationQuotaManager, one for each side):
// - leader.replication.throttled.rate / follower.replication.throttled.rate: this broker's rates, set
//   at runtime (IncrementalAlterConfigs on its broker resource, or on the cluster default '') and read
//   from the metadata image; unset: no throttle;
// - leader.replication.throttled.replicas / follower.replication.throttled.replicas: the topic's
//   replicas (`partition:broker`, or '*') whose replication is throttled, read from each log's config.
// The leader throttles its answers to a listed follower that is not in the ISR (Kafka's
// shouldLeaderThrottle); the follower throttles its own fetches of a listed replica while it is behind
// (shouldFollowerThrottle). A replica in sync is never held back, so a throttle slows a reassignment's
// catch-up, never the live traffic of the ISR.
import { parseThrottleRate, UNTHROTTLED_RATE, type DynamicBrokerConfigName } from '../config/dynamic-broker-configs.js';
import { throttledReplicasInclude } from '../log/index.js';
import type { MetadataImage } from '../metadata/index.js';
import { ByteRateLimiter } from './byte-rate-limiter.js';
import type { PartitionLeader } from './partition-leader.js';
import type { FollowedPartition } from './replica-fetcher.js';

/** What the leader's side of ReplicaFetch asks of the leader throttle. */
export interface LeaderThrottle {
  /** Whether this answer to the follower counts against the throttle. */
  applies(leader: PartitionLeader, replicaId: number): boolean;
  /** Bytes that may go out now (0 or less: none). */
  available(): number;
  /** Bytes that went out to throttled followers. */
  record(bytes: number): void;
}

/** What a follower's fetcher asks of the follower throttle. */
export interface FollowerThrottle {
  /** Whether fetches of the partition count against the throttle while it is behind. */
  applies(p: FollowedPartition): boolean;
  available(): number;
  record(bytes: number): void;
  /** Milliseconds until available() is positive again. */
  waitMs(): number;
}

/** Told of the bytes each side's throttled replicas moved (the metrics count them). */
export interface ThrottleObserver {
  throttledBytes(side: 'leader' | 'follower', bytes: number): void;
}

/** The rate a broker runs with: its own override, else the cluster default, else none (Infinity). */
export function throttleRateOf(image: MetadataImage, brokerId: number, name: DynamicBrokerConfigName): number {
  const raw = image.brokerConfigOverrides(String(brokerId))[name] ?? image.brokerConfigOverrides('')[name];
  if (raw === undefined) return Number.POSITIVE_INFINITY;
  let rate: number;
  try {
    rate = parseThrottleRate(name, raw);
  } catch {
    // The controller validated it; a value this node cannot read throttles nothing.
    return Number.POSITIVE_INFINITY;
  }
  return rate >= UNTHROTTLED_RATE ? Number.POSITIVE_INFINITY : rate;
}

export class ReplicationThrottles {
  private readonly leaderLimiter: ByteRateLimiter;
  private readonly followerLimiter: ByteRateLimiter;
  readonly leader: LeaderThrottle;
  readonly follower: FollowerThrottle;

  constructor(private readonly nodeId: number, private readonly now: () => number, observer?: ThrottleObserver) {
    // No throttle until the image sets a rate.
    this.leaderLimiter = new ByteRateLimiter(Number.POSITIVE_INFINITY, now());
    this.followerLimiter = new ByteRateLimiter(Number.POSITIVE_INFINITY, now());
    const leaderLimiter = this.leaderLimiter;
    const followerLimiter = this.followerLimiter;
    this.leader = {
      applies: (leader, replicaId) => leaderLimiter.limited && !leader.state.committedIsr.includes(replicaId)
        && throttledReplicasInclude(leader.log.config.leaderReplicationThrottledReplicas, leader.partition, nodeId),
      available: () => leaderLimiter.available(now()),
      record: (bytes) => {
        leaderLimiter.take(bytes, now());
        observer?.throttledBytes('leader', bytes);
      },
    };
    this.follower = {
      applies: (p) => followerLimiter.limited && throttledReplicasInclude(p.log.config.followerReplicationThrottledReplicas, p.partition, nodeId),
      available: () => followerLimiter.available(now()),
      record: (bytes) => {
        followerLimiter.take(bytes, now());
        observer?.throttledBytes('follower', bytes);
      },
      waitMs: () => followerLimiter.waitMs(now()),
    };
  }

  /** Takes this broker's rates from the image. */
  apply(image: MetadataImage): void {
    this.leaderLimiter.setRate(throttleRateOf(image, this.nodeId, 'leader.replication.throttled.rate'), this.now());
    this.followerLimiter.setRate(throttleRateOf(image, this.nodeId, 'follower.replication.throttled.rate'), this.now());
  }

  /** The rates in effect (bytes/s; Infinity: none), for logs and tests. */
  rates(): { leader: number; follower: number } {
    return { leader: this.leaderLimiter.bytesPerSecond, follower: this.followerLimiter.bytesPerSecond };
  }
}
