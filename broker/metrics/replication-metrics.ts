// Replication's Prometheus metrics (DESIGN §10, Kafka's ReplicaManager metrics): partitions led here
// that are under-replicated or under min.insync.replicas, ISR shrinks and expands this node's
// leaderships made, and lag: a follower's records behind its leader at its last fetch, and on a leader
// the seconds since each follower was last caught up; the bytes the replication throttles counted.
// Gauges are read at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PartitionLeader, ReplicationObserver } from '../replication/index.js';

export interface ReplicationSource {
  /** The partitions this node leads. */
  leaders(): Iterable<PartitionLeader>;
  /** Records behind the leader at the last fetch, per partition this node follows. */
  followerLags(): Iterable<{ topic: string; partition: number; records: number }>;
}

export class ReplicationMetrics implements ReplicationObserver {
  private readonly shrinks: Counter;
  private readonly expands: Counter;
  private readonly throttled: Counter;

  constructor(registry: Registry, source: ReplicationSource, now: () => number = Date.now) {
    const registers = [registry];
    this.shrinks = new Counter({ name: 'strait_broker_isr_shrinks_total', help: 'ISR shrinks committed for partitions led by this node', registers });
    this.expands = new Counter({ name: 'strait_broker_isr_expands_total', help: 'ISR expansions committed for partitions led by this node', registers });
    this.throttled = new Counter({
      name: 'strait_replica_throttled_bytes_total', labelNames: ['side'], registers,
      help: 'Record bytes of throttled replicas: sent to followers under leader.replication.throttled.rate (side=leader), fetched under follower.replication.throttled.rate (side=follower)',
    });
    // Both sides exist from the start, so a scrape shows 0 rather than nothing.
    this.throttled.inc({ side: 'leader' }, 0);
    this.throttled.inc({ side: 'follower' }, 0);
    new Gauge({
      name: 'strait_broker_under_replicated_partitions', help: 'Partitions led by this node whose ISR is smaller than their replication factor (replicas being added by a reassignment not counted)', registers,
      collect() {
        let n = 0;
        for (const l of source.leaders()) if (l.state.committedIsr.length < l.state.replicationFactor) n++;
        this.set(n);
      },
    });
    new Gauge({
      name: 'strait_broker_under_min_isr_partitions', help: 'Partitions led by this node whose ISR is smaller than min.insync.replicas', registers,
      collect() {
        let n = 0;
        for (const l of source.leaders()) if (l.state.committedIsr.length < l.log.config.minInsyncReplicas) n++;
        this.set(n);
      },
    });
    new Gauge({
      name: 'strait_replica_lag_records', help: 'Follower: records behind the leader\'s log end at the last fetch', labelNames: ['topic', 'partition'], registers,
      collect() {
        this.reset();
        for (const { topic, partition, records } of source.followerLags()) this.set({ topic, partition: String(partition) }, records);
      },
    });
    new Gauge({
      name: 'strait_replica_lag_seconds', help: 'Leader: seconds since the follower was last caught up (since this leadership began when never)',
      labelNames: ['topic', 'partition', 'replica'], registers,
      collect() {
        this.reset();
        const at = now();
        for (const l of source.leaders()) {
          for (const id of l.state.replicas) {
            const follower = l.follower(id);
            if (!follower) continue;
            const since = Math.max(follower.lastCaughtUpTimeMs, l.startedAtMs);
            this.set({ topic: l.topic, partition: String(l.partition), replica: String(id) }, Math.max(0, at - since) / 1000);
          }
        }
      },
    });
  }

  isrShrunk(): void {
    this.shrinks.inc();
  }

  isrExpanded(): void {
    this.expands.inc();
  }

  throttledBytes(side: 'leader' | 'follower', bytes: number): void {
    this.throttled.inc({ side }, bytes);
  }
}
