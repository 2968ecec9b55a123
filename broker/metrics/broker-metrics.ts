// The broker's Prometheus metrics on an injected Registry (one per process, never the global one).
// Names follow strait_<area>_<what>_<unit>. Per-partition gauges are read from the logs at scrape
// time, so the hot path only bumps counters.
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PartitionLog } from '../log/index.js';
import type { TrafficObserver } from '../core/broker-context.js';

export interface PartitionSource {
  /** Every partition log this node holds. */
  logs(): Iterable<PartitionLog>;
  /** Partitions of the cluster without a leader (as this node's metadata image has them). */
  offlinePartitions(): number;
  /** Partitions whose log is offline on this node (it could not be opened or written). */
  offlineReplicas(): number;
  /** Whether this node is the active controller (the metadata quorum's Raft leader). */
  isActiveController(): boolean;
}

export class BrokerMetrics implements TrafficObserver {
  private readonly messagesIn: Counter<'topic'>;
  private readonly bytesIn: Counter<'topic'>;
  private readonly bytesOut: Counter<'topic'>;
  private readonly requestDuration: Histogram<'rpc'>;
  private readonly requests: Counter<'rpc' | 'error'>;

  constructor(readonly registry: Registry, source: PartitionSource, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const registers = [registry];
    this.messagesIn = new Counter({ name: 'strait_broker_messages_in_total', help: 'Records appended, by topic', labelNames: ['topic'], registers });
    this.bytesIn = new Counter({ name: 'strait_broker_bytes_in_total', help: 'Record batch bytes appended, by topic', labelNames: ['topic'], registers });
    this.bytesOut = new Counter({ name: 'strait_broker_bytes_out_total', help: 'Record batch bytes sent to fetchers, by topic', labelNames: ['topic'], registers });
    this.requestDuration = new Histogram({
      name: 'strait_broker_request_duration_seconds', help: 'Time to answer a request, by RPC', labelNames: ['rpc'], registers,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.requests = new Counter({ name: 'strait_broker_requests_total', help: 'Requests answered, by RPC and error code name (NONE on success)', labelNames: ['rpc', 'error'], registers });
    new Gauge({
      name: 'strait_broker_partitions', help: 'Partitions hosted by this node', registers,
      collect() { let n = 0; for (const _ of source.logs()) n++; this.set(n); },
    });
    new Gauge({ name: 'strait_broker_offline_partitions', help: 'Partitions without a leader (no replica that can lead has a usable log)', registers, collect() { this.set(source.offlinePartitions()); } });
    new Gauge({ name: 'strait_broker_offline_replicas', help: 'Partitions whose log is offline on this node (could not be opened or written; until restart)', registers, collect() { this.set(source.offlineReplicas()); } });
    new Gauge({ name: 'strait_broker_active_controller', help: '1 when this node is the active controller', registers, collect() { this.set(source.isActiveController() ? 1 : 0); } });
    const perPartition = (name: string, help: string, read: (log: PartitionLog) => number): void => {
      new Gauge({
        name, help, labelNames: ['topic', 'partition'], registers,
        collect() {
          this.reset();
          for (const log of source.logs()) this.set({ topic: log.topic, partition: String(log.partition) }, read(log));
        },
      });
    };
    perPartition('strait_log_size_bytes', 'Bytes on disk of a partition log', (l) => l.sizeInBytes);
    perPartition('strait_log_end_offset', 'Next offset to be written', (l) => l.logEndOffset);
    perPartition('strait_log_high_watermark', 'Offsets below this are committed: on every replica of the ISR (consumers read below it)', (l) => l.highWatermark);
    perPartition('strait_log_start_offset', 'First offset still in the log', (l) => l.logStartOffset);
  }

  private readonly byTopic = new Map<string, { messagesIn: { inc(n: number): void }; bytesIn: { inc(n: number): void }; bytesOut: { inc(n: number): void } }>();

  private topicCounters(topic: string) {
    let counters = this.byTopic.get(topic);
    if (!counters) {
      counters = { messagesIn: this.messagesIn.labels({ topic }), bytesIn: this.bytesIn.labels({ topic }), bytesOut: this.bytesOut.labels({ topic }) };
      this.byTopic.set(topic, counters);
    }
    return counters;
  }

  produced(topic: string, records: number, bytes: number): void {
    const c = this.topicCounters(topic);
    c.messagesIn.inc(records);
    c.bytesIn.inc(bytes);
  }

  fetched(topic: string, bytes: number): void {
    this.topicCounters(topic).bytesOut.inc(bytes);
  }

  /** Label children cached per value: the stream paths call these for every request. */
  private readonly durationByRpc = new Map<string, { observe(v: number): void }>();
  private readonly countByOutcome = new Map<string, { inc(): void }>();

  requestDone(rpc: string, seconds: number, error: string): void {
    let duration = this.durationByRpc.get(rpc);
    if (!duration) this.durationByRpc.set(rpc, (duration = this.requestDuration.labels({ rpc })));
    duration.observe(seconds);
    const key = `${rpc}\u0000${error}`;
    let count = this.countByOutcome.get(key);
    if (!count) this.countByOutcome.set(key, (count = this.requests.labels({ rpc, error })));
    count.inc();
  }
}
