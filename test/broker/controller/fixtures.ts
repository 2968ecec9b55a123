// A controller driven in-process for tests: decisions are "committed" by encoding each record,
// decoding it again (as a follower would read it) and applying it at the next offset.
import assert from 'node:assert/strict';
import {
  BrokerSessions, brokerHeartbeat, initializeCluster, registerBroker, seededRandom, type ControllerResult,
  type RandomSource,
} from '../../../broker/controller/index.js';
import {
  MetadataImage, decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord, type ReplicaRef,
} from '../../../broker/metadata/index.js';

export const CLUSTER_ID = 'test-cluster-1';

export class TestController {
  image: MetadataImage = MetadataImage.EMPTY;
  readonly sessions = new BrokerSessions();
  readonly random: RandomSource;
  now = 1_000_000;
  private offset = 0;
  private topicIds = 0;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
    this.commitRecords(initializeCluster(this.image, CLUSTER_ID));
  }

  newTopicId = (): string => `topic-id-${++this.topicIds}`;

  commitRecords(records: readonly MetadataRecord[]): void {
    this.image = this.image.applyAll(records.map((r) => ({ record: decodeMetadataRecord(encodeMetadataRecord(r)), offset: ++this.offset })));
  }

  commit<R>(result: ControllerResult<R>): R {
    this.commitRecords(result.records);
    return result.response;
  }

  register(brokerId: number, rack?: string, incarnationId = `inc-${brokerId}`): number {
    return this.commit(registerBroker(this.image, {
      brokerId, incarnationId, host: '127.0.0.1', port: 9000 + brokerId, ...(rack === undefined ? {} : { rack }), clusterId: CLUSTER_ID,
    }, this.now, this.sessions)).brokerEpoch;
  }

  heartbeat(brokerId: number, options: { wantFence?: boolean; wantShutdown?: boolean; offset?: number; offline?: ReplicaRef[] } = {}) {
    const broker = this.image.broker(brokerId);
    assert.ok(broker, `broker ${brokerId} is registered`);
    return this.commit(brokerHeartbeat(this.image, {
      brokerId, brokerEpoch: broker.brokerEpoch, wantFence: options.wantFence ?? false, wantShutdown: options.wantShutdown ?? false,
      currentMetadataOffset: options.offset ?? this.image.highestOffset, ...(options.offline ? { offlineReplicas: options.offline } : {}),
    }, this.now, this.sessions));
  }

  /** Registers and unfences brokers 1..n (racks by index when given). */
  startBrokers(n: number, racks?: readonly string[]): void {
    for (let id = 1; id <= n; id++) {
      this.register(id, racks?.[id - 1]);
      this.heartbeat(id);
    }
  }
}

/** Every partition of every topic, as [topic, PartitionImage]. */
export function allPartitions(image: MetadataImage) {
  return image.topics().flatMap((t) => t.partitions.map((p) => [t.name, p] as const));
}
