// Consumer group metrics of the groups this node coordinates (DESIGN §8, §10): lag per group and
// partition (log end - committed, what Kafka users bolt on with Burrow or kafka-exporter), its sum
// per group, members per group, and rebalances (new target assignments) per group. Gauges are read
// at scrape time; a group that leaves this node (deleted, expired, its partition moved) leaves the
// rebalance counter too, and its gauges are no longer reported here.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GroupLagEntry, GroupObserver } from '../groups/index.js';

export interface GroupMetricsSource {
  lags(): Iterable<GroupLagEntry>;
  groupSizes(): Iterable<{ group: string; members: number }>;
}

export class GroupMetrics implements GroupObserver {
  private readonly rebalances: Counter<'group'>;
  private source: GroupMetricsSource | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    const metrics = this;
    this.rebalances = new Counter({ name: 'strait_group_rebalances_total', help: 'New target assignments computed for a group coordinated here', labelNames: ['group'], registers });
    new Gauge({
      name: 'strait_group_lag', help: 'Records between a group\'s committed offset and the partition\'s log end (high watermark)',
      labelNames: ['group', 'topic', 'partition'], registers,
      collect() {
        this.reset();
        for (const l of metrics.source?.lags() ?? []) this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    });
    new Gauge({
      name: 'strait_group_lag_sum', help: 'strait_group_lag summed over the group\'s partitions', labelNames: ['group'], registers,
      collect() {
        this.reset();
        const sums = new Map<string, number>();
        for (const l of metrics.source?.lags() ?? []) sums.set(l.group, (sums.get(l.group) ?? 0) + l.lag);
        for (const [group, sum] of sums) this.set({ group }, sum);
      },
    });
    new Gauge({
      name: 'strait_group_members', help: 'Members of a group coordinated here', labelNames: ['group'], registers,
      collect() {
        this.reset();
        for (const { group, members } of metrics.source?.groupSizes() ?? []) this.set({ group }, members);
      },
    });
  }

  /** The coordinator the gauges read (it is built after the metrics that observe it). */
  readFrom(source: GroupMetricsSource): void {
    this.source = source;
  }

  rebalanced(groupId: string): void {
    this.rebalances.inc({ group: groupId });
  }

  groupGone(groupId: string): void {
    this.rebalances.remove({ group: groupId });
  }
}
