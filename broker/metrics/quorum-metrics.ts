// Metrics of the metadata quorum and the controller, read at scrape time except the decision
// histogram, which the active controller feeds.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ControllerObserver } from '../controller/index.js';

export interface QuorumSource {
  /** The last metadata log offset applied by this node. */
  metadataOffset(): number;
  /** Registered brokers that are fenced, as this node's image has them. */
  fencedBrokers(): number;
  /** The Raft term this node knows (0 for a node that is not a voter). */
  term(): number;
  /** How many times this node has seen the leader change. */
  leaderChanges(): number;
}

export class QuorumMetrics implements ControllerObserver {
  private readonly eventDuration: Histogram<'operation'>;

  constructor(registry: Registry, source: QuorumSource) {
    const registers = [registry];
    new Gauge({ name: 'strait_controller_metadata_offset', help: 'Last metadata log offset applied by this node', registers, collect() { this.set(source.metadataOffset()); } });
    new Gauge({ name: 'strait_controller_fenced_brokers', help: 'Registered brokers that are fenced', registers, collect() { this.set(source.fencedBrokers()); } });
    new Gauge({ name: 'strait_quorum_term', help: 'Current Raft term of the metadata quorum', registers, collect() { this.set(source.term()); } });
    let seen = 0;
    new Counter({
      name: 'strait_quorum_leader_changes_total', help: 'Leader changes of the metadata quorum seen by this node', registers,
      collect() {
        const now = source.leaderChanges();
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
    this.eventDuration = new Histogram({
      name: 'strait_controller_event_duration_seconds', help: 'Time the active controller takes to decide a write, by operation',
      labelNames: ['operation'], registers, buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    });
  }

  decisionDone(operation: string, seconds: number): void {
    this.eventDuration.observe({ operation }, seconds);
  }
}
