// The heartbeat-only pairs of a config (MirrorConfig.heartbeatOnlyFlows): MM2 runs a heartbeat connector
// for every pair of clusters, enabled or not, so that every cluster's `heartbeats` topic exists and
// is fed, and the flows mirroring it show the clusters upstream. A mirror process runs these beside
// its flows, each with an admin and a producer of its own on the pair's target.
import type { Logger } from 'pino';
import { Admin, Producer } from '../../client/index.js';
import type { ClusterSettings, FlowConfig } from '../config/mirror-config.js';
import type { MirrorMetrics } from '../metrics/mirror-metrics.js';
import { FlowPolicy } from '../policy/flow-policy.js';
import { HeartbeatEmitter } from './heartbeats.js';

/** Heartbeats are written again at the next interval: a send is not retried for longer than this (at least linger.ms + request.timeout.ms, as the producer requires). */
export const HEARTBEAT_DELIVERY_TIMEOUT_MS = 60_000;

export class HeartbeatPairs {
  private readonly running: { emitter: HeartbeatEmitter; admin: Admin; producer: Producer }[] = [];

  constructor(pairs: readonly FlowConfig[], clusters: Readonly<Record<string, ClusterSettings>>, metrics: MirrorMetrics, logger: Logger) {
    for (const flow of pairs) {
      const target = clusters[flow.target]!;
      const admin = new Admin({ 'bootstrap.servers': target.bootstrapServers, ...flow.targetAdmin });
      const producer = new Producer({ 'bootstrap.servers': target.bootstrapServers, ...flow.targetProducer, 'delivery.timeout.ms': HEARTBEAT_DELIVERY_TIMEOUT_MS });
      const emitter = new HeartbeatEmitter({
        flow, policy: new FlowPolicy(flow), targetAdmin: admin, targetProducer: producer, metrics: metrics.flow(flow.source, flow.target), logger: logger.child({ pair: `${flow.source}->${flow.target}` }),
      });
      this.running.push({ emitter, admin, producer });
    }
  }

  async start(): Promise<void> {
    for (const { emitter } of this.running) await emitter.start();
  }

  async stop(): Promise<void> {
    for (const { emitter, admin, producer } of this.running) {
      await emitter.stop();
      await producer.close(2000);
      await admin.close();
    }
  }
}
