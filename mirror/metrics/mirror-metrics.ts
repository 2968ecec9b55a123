// The mirror's Prometheus metrics on an injected Registry (one per process). MM2's metrics, named the
// Prometheus way (strait_mirror_<what>_<unit>, seconds not ms) with source/target/topic/partition
// labels: record-count -> records_total, byte-rate -> bytes_total (rate() gives the rate),
// record-age-ms -> record_age_seconds, replication-latency-ms -> replication_latency_seconds,
// checkpoint-latency-ms -> checkpoint_latency_seconds. Added, because MM2 users have to build them
// from two clusters' metrics: lag in records and in seconds per partition, and the age of the newest
// heartbeat seen from each upstream cluster.
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ForwardedBatch, ForwardListener } from '../flow/forwarded-batch.js';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

type FlowLabels = 'source' | 'target';
type PartitionLabels = FlowLabels | 'topic' | 'partition';

export class MirrorMetrics {
  readonly records: Counter<PartitionLabels>;
  readonly bytes: Counter<PartitionLabels>;
  readonly batches: Counter<FlowLabels | 'mode'>;
  readonly recordAge: Histogram<PartitionLabels>;
  readonly replicationLatency: Histogram<PartitionLabels>;
  readonly checkpointLatency: Histogram<FlowLabels | 'group'>;
  readonly lagRecords: Gauge<PartitionLabels>;
  readonly lagSeconds: Gauge<PartitionLabels>;
  readonly heartbeatAge: Gauge<FlowLabels>;
  readonly offsetSyncs: Counter<FlowLabels>;
  readonly checkpoints: Counter<FlowLabels>;
  readonly groupOffsetsSynced: Counter<FlowLabels>;
  readonly topics: Gauge<FlowLabels>;
  readonly assignedPartitions: Gauge<FlowLabels>;
  readonly errors: Counter<FlowLabels | 'operation'>;
  private readonly lastHeartbeat = new Map<string, { labels: Record<FlowLabels, string>; atMs: number }>();

  constructor(readonly registry: Registry, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const registers = [registry];
    const partitionLabels: PartitionLabels[] = ['source', 'target', 'topic', 'partition'];
    this.records = new Counter({ name: 'strait_mirror_records_total', help: 'Records written to the target (MM2 record-count)', labelNames: partitionLabels, registers });
    this.bytes = new Counter({ name: 'strait_mirror_bytes_total', help: 'Record batch bytes written to the target (MM2 byte-rate is its rate)', labelNames: partitionLabels, registers });
    this.batches = new Counter({ name: 'strait_mirror_batches_total', help: 'Batches written to the target, by mode: whole (source bytes forwarded, header fields rewritten) or reencoded', labelNames: ['source', 'target', 'mode'], registers });
    this.recordAge = new Histogram({ name: 'strait_mirror_record_age_seconds', help: 'Age of a batch\'s newest record when the mirror fetched it (MM2 record-age-ms)', labelNames: partitionLabels, registers, buckets: LATENCY_BUCKETS });
    this.replicationLatency = new Histogram({ name: 'strait_mirror_replication_latency_seconds', help: 'From a batch\'s newest record timestamp on the source to the target\'s acknowledgement (MM2 replication-latency-ms)', labelNames: partitionLabels, registers, buckets: LATENCY_BUCKETS });
    this.checkpointLatency = new Histogram({ name: 'strait_mirror_checkpoint_latency_seconds', help: 'From a group\'s commit on the source to its checkpoint on the target (MM2 checkpoint-latency-ms)', labelNames: ['source', 'target', 'group'], registers, buckets: LATENCY_BUCKETS });
    this.lagRecords = new Gauge({ name: 'strait_mirror_lag_records', help: 'Source log end minus the next source offset to mirror, per partition this worker mirrors', labelNames: partitionLabels, registers });
    this.lagSeconds = new Gauge({ name: 'strait_mirror_lag_seconds', help: 'Age of the oldest source record not yet mirrored (0 when caught up), per partition this worker mirrors', labelNames: partitionLabels, registers });
    const lastHeartbeat = this.lastHeartbeat;
    this.heartbeatAge = new Gauge({
      name: 'strait_mirror_heartbeat_age_seconds', help: 'Time since the newest heartbeat from the source cluster was seen on the target', labelNames: ['source', 'target'], registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const { labels, atMs } of lastHeartbeat.values()) this.set(labels, Math.max(0, now - atMs) / 1000);
      },
    });
    this.offsetSyncs = new Counter({ name: 'strait_mirror_offset_syncs_total', help: 'Offset syncs written', labelNames: ['source', 'target'], registers });
    this.checkpoints = new Counter({ name: 'strait_mirror_checkpoints_total', help: 'Checkpoints written to <source>.checkpoints.internal on the target', labelNames: ['source', 'target'], registers });
    this.groupOffsetsSynced = new Counter({ name: 'strait_mirror_group_offsets_synced_total', help: 'Partition offsets committed to target groups by group offset sync', labelNames: ['source', 'target'], registers });
    this.topics = new Gauge({ name: 'strait_mirror_topics', help: 'Source topics the flow mirrors', labelNames: ['source', 'target'], registers });
    this.assignedPartitions = new Gauge({ name: 'strait_mirror_assigned_partitions', help: 'Source partitions this worker forwards', labelNames: ['source', 'target'], registers });
    this.errors = new Counter({ name: 'strait_mirror_errors_total', help: 'Failed mirror operations (each retried), by operation', labelNames: ['source', 'target', 'operation'], registers });
  }

  /** The metrics of one flow, with its labels bound. */
  flow(source: string, target: string): FlowMetrics {
    return new FlowMetrics(this, source, target);
  }

  /** @internal FlowMetrics records heartbeats here so one collect() reads them all. */
  noteHeartbeat(source: string, target: string, timestampMs: number): void {
    const key = `${source}\u0000${target}`;
    const prev = this.lastHeartbeat.get(key);
    if (!prev || timestampMs > prev.atMs) this.lastHeartbeat.set(key, { labels: { source, target }, atMs: timestampMs });
  }
}

export class FlowMetrics implements ForwardListener {
  private readonly labels: Record<FlowLabels, string>;

  constructor(private readonly m: MirrorMetrics, readonly source: string, readonly target: string) {
    this.labels = { source, target };
  }

  private partitionLabels(topic: string, partition: number): Record<PartitionLabels, string> {
    return { source: this.source, target: this.target, topic, partition: String(partition) };
  }

  onForwarded(b: ForwardedBatch): void {
    const labels = this.partitionLabels(b.sourceTopic, b.partition);
    this.m.records.inc(labels, b.recordCount);
    this.m.bytes.inc(labels, b.bytes);
    this.m.batches.inc({ ...this.labels, mode: b.whole ? 'whole' : 'reencoded' });
    this.m.replicationLatency.observe(labels, Math.max(0, b.acknowledgedAtMs - b.maxTimestamp) / 1000);
  }

  /** A fetched batch's newest record was this old when fetched. */
  recordFetched(topic: string, partition: number, maxTimestamp: number, fetchedAtMs: number): void {
    this.m.recordAge.observe(this.partitionLabels(topic, partition), Math.max(0, fetchedAtMs - maxTimestamp) / 1000);
  }

  setLag(topic: string, partition: number, records: number, seconds: number): void {
    const labels = this.partitionLabels(topic, partition);
    this.m.lagRecords.set(labels, records);
    this.m.lagSeconds.set(labels, seconds);
  }

  /** The partition left this worker: its per-partition gauges stop being reported here. */
  dropPartition(topic: string, partition: number): void {
    const labels = this.partitionLabels(topic, partition);
    this.m.lagRecords.remove(labels);
    this.m.lagSeconds.remove(labels);
  }

  checkpointWritten(group: string, commitAgeSeconds: number): void {
    this.m.checkpoints.inc(this.labels);
    this.m.checkpointLatency.observe({ ...this.labels, group }, Math.max(0, commitAgeSeconds));
  }

  offsetSyncWritten(): void { this.m.offsetSyncs.inc(this.labels); }
  groupOffsetsSynced(partitions: number): void { this.m.groupOffsetsSynced.inc(this.labels, partitions); }
  /** A heartbeat from `upstream` (the flow's source, or a cluster further up) seen on the target. */
  heartbeatSeen(upstream: string, timestampMs: number): void { this.m.noteHeartbeat(upstream, this.target, timestampMs); }
  setTopics(n: number): void { this.m.topics.set(this.labels, n); }
  setAssignedPartitions(n: number): void { this.m.assignedPartitions.set(this.labels, n); }
  error(operation: string): void { this.m.errors.inc({ ...this.labels, operation }); }
}
