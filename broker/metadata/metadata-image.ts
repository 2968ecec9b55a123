// The cluster metadata as of one offset of the `__cluster_metadata` log: brokers, topics,
// partitions, configs, the producer-id high mark, the recent answers of forwarded admin writes. Immutable: `apply` returns a new image that shares
// every untouched part with the old one, so a reader can hold an image while the log moves on, and
// the active controller can apply its own pending records to a copy before they commit (Kafka's
// controller does the same). A record that contradicts the image throws MetadataApplyError and the
// image it was applied to stays as it was.
import { MetadataApplyError } from './metadata-errors.js';
import type { MetadataRecord, PartitionChangeRecord } from './metadata-records.js';
import {
  NO_OFFLINE_REPLICAS, NO_REPLICAS, partitionProblem, type BrokerImage, type ImageState, type PartitionImage, type RequestResultImage,
  type TopicImage,
} from './image-types.js';
import { decodeImageState, encodeImageState } from './image-snapshot.js';
import { rememberRequestResult } from './request-results.js';

export interface AppliedRecord {
  readonly offset: number;
  readonly record: MetadataRecord;
}

const EMPTY_STATE: ImageState = Object.freeze({
  highestOffset: -1, clusterId: undefined, lastBrokerEpoch: -1, nextProducerId: 0,
  brokers: new Map(), topicsById: new Map(), topicIdsByName: new Map(), brokerConfigs: new Map(), requestResults: new Map(),
});

const EMPTY_CONFIGS: Readonly<Record<string, string>> = Object.freeze({});

export class MetadataImage {
  static readonly EMPTY = new MetadataImage(EMPTY_STATE);

  private constructor(private readonly state: ImageState) {}

  /** Reads an image written by toSnapshot; throws MetadataSnapshotError on anything malformed. */
  static fromSnapshot(bytes: Uint8Array): MetadataImage {
    return new MetadataImage(decodeImageState(bytes));
  }

  /** The whole image as bytes; fromSnapshot(toSnapshot()) is the same image, byte for byte. */
  toSnapshot(): Buffer {
    return encodeImageState(this.state);
  }

  get highestOffset(): number { return this.state.highestOffset; }
  get clusterId(): string | undefined { return this.state.clusterId; }
  get lastBrokerEpoch(): number { return this.state.lastBrokerEpoch; }
  get nextProducerId(): number { return this.state.nextProducerId; }

  apply(record: MetadataRecord, offset: number): MetadataImage {
    return this.applyAll([{ record, offset }]);
  }

  /** Applies records in order; on the first one that contradicts the image, throws and nothing of
   * the batch is applied. Offsets must increase (Raft may leave gaps for its own entries). */
  applyAll(entries: Iterable<AppliedRecord>): MetadataImage {
    const draft = new Draft(this.state);
    let any = false;
    for (const { record, offset } of entries) {
      draft.apply(record, offset);
      any = true;
    }
    return any ? new MetadataImage(draft.finish()) : this;
  }

  brokers(): BrokerImage[] {
    return [...this.state.brokers.values()].sort((a, b) => a.brokerId - b.brokerId);
  }

  broker(brokerId: number): BrokerImage | undefined {
    return this.state.brokers.get(brokerId);
  }

  /** Registered and unfenced brokers (including those in controlled shutdown), by id. */
  liveBrokers(): BrokerImage[] {
    return this.brokers().filter((b) => !b.fenced);
  }

  /** Topics by name. */
  topics(): TopicImage[] {
    return [...this.state.topicsById.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  topic(name: string): TopicImage | undefined {
    const id = this.state.topicIdsByName.get(name);
    return id === undefined ? undefined : this.state.topicsById.get(id);
  }

  topicById(topicId: string): TopicImage | undefined {
    return this.state.topicsById.get(topicId);
  }

  /** The topic's partitions in partition order, undefined for an unknown topic. */
  partitionsOf(name: string): readonly PartitionImage[] | undefined {
    return this.topic(name)?.partitions;
  }

  partition(name: string, partition: number): PartitionImage | undefined {
    return this.topic(name)?.partitions[partition];
  }

  /** The leader's broker id, -1 for an offline partition, undefined for an unknown partition. */
  leaderOf(name: string, partition: number): number | undefined {
    return this.partition(name, partition)?.leader;
  }

  topicConfigOverrides(name: string): Readonly<Record<string, string>> {
    return this.topic(name)?.configs ?? EMPTY_CONFIGS;
  }

  /** Overrides of one broker (by id as a string), or of the cluster default with ''. */
  brokerConfigOverrides(resourceName: string): Readonly<Record<string, string>> {
    return this.state.brokerConfigs.get(resourceName) ?? EMPTY_CONFIGS;
  }

  /** The stored answer of the forwarded write with this request id, while the image keeps it. */
  requestResult(requestId: string): RequestResultImage | undefined {
    return this.state.requestResults.get(requestId);
  }

  /** The stored answers of forwarded writes, oldest first. */
  requestResults(): RequestResultImage[] {
    return [...this.state.requestResults.values()];
  }

  /** Every partition whose leader is the broker. */
  partitionsLedBy(brokerId: number): PartitionImage[] {
    const out: PartitionImage[] = [];
    for (const topic of this.state.topicsById.values()) {
      for (const p of topic.partitions) if (p.leader === brokerId) out.push(p);
    }
    return out;
  }
}

/** A batch being applied: maps are copied on their first change, objects replaced, never mutated. */
class Draft {
  private highestOffset: number;
  private clusterId: string | undefined;
  private lastBrokerEpoch: number;
  private nextProducerId: number;
  private brokers: Map<number, BrokerImage> | undefined;
  private topicsById: Map<string, TopicImage> | undefined;
  private topicIdsByName: Map<string, string> | undefined;
  private brokerConfigs: Map<string, Readonly<Record<string, string>>> | undefined;
  private requestResults: ReadonlyMap<string, RequestResultImage> | undefined;
  private offset = -1;

  constructor(private readonly base: ImageState) {
    this.highestOffset = base.highestOffset;
    this.clusterId = base.clusterId;
    this.lastBrokerEpoch = base.lastBrokerEpoch;
    this.nextProducerId = base.nextProducerId;
  }

  finish(): ImageState {
    return Object.freeze({
      highestOffset: this.highestOffset, clusterId: this.clusterId, lastBrokerEpoch: this.lastBrokerEpoch,
      nextProducerId: this.nextProducerId,
      brokers: this.brokers ?? this.base.brokers, topicsById: this.topicsById ?? this.base.topicsById,
      topicIdsByName: this.topicIdsByName ?? this.base.topicIdsByName, brokerConfigs: this.brokerConfigs ?? this.base.brokerConfigs,
      requestResults: this.requestResults ?? this.base.requestResults,
    });
  }

  private fail(message: string): never {
    throw new MetadataApplyError(this.offset, message);
  }

  private broker(brokerId: number): BrokerImage | undefined {
    return (this.brokers ?? this.base.brokers).get(brokerId);
  }

  private setBroker(brokerId: number, broker: BrokerImage | undefined): void {
    this.brokers ??= new Map(this.base.brokers);
    if (broker) this.brokers.set(brokerId, Object.freeze(broker));
    else this.brokers.delete(brokerId);
  }

  private topicById(topicId: string): TopicImage | undefined {
    return (this.topicsById ?? this.base.topicsById).get(topicId);
  }

  private topicIdOf(name: string): string | undefined {
    return (this.topicIdsByName ?? this.base.topicIdsByName).get(name);
  }

  private setTopic(topic: TopicImage): void {
    this.topicsById ??= new Map(this.base.topicsById);
    this.topicsById.set(topic.topicId, Object.freeze(topic));
  }

  private requireTopic(topicId: string): TopicImage {
    return this.topicById(topicId) ?? this.fail(`unknown topic id ${topicId}`);
  }

  /** The broker with this id and epoch, or a MetadataApplyError. */
  private requireBroker(brokerId: number, epoch: number): BrokerImage {
    const broker = this.broker(brokerId) ?? this.fail(`broker ${brokerId} is not registered`);
    if (broker.brokerEpoch !== epoch) this.fail(`broker ${brokerId} has epoch ${broker.brokerEpoch}, the record names ${epoch}`);
    return broker;
  }

  apply(record: MetadataRecord, offset: number): void {
    this.offset = offset;
    if (!Number.isSafeInteger(offset) || offset <= this.highestOffset) {
      this.fail(`offsets must increase: ${offset} follows ${this.highestOffset}`);
    }
    switch (record.type) {
      case 'ClusterId':
        if (this.clusterId !== undefined && this.clusterId !== record.clusterId) {
          this.fail(`cluster id ${record.clusterId} contradicts ${this.clusterId}`);
        }
        this.clusterId = record.clusterId;
        break;
      case 'RegisterBroker': {
        const existing = this.broker(record.brokerId);
        if (existing && record.brokerEpoch <= existing.brokerEpoch) {
          this.fail(`broker ${record.brokerId} registration epoch ${record.brokerEpoch} is not above ${existing.brokerEpoch}`);
        }
        this.setBroker(record.brokerId, {
          brokerId: record.brokerId, incarnationId: record.incarnationId, brokerEpoch: record.brokerEpoch,
          host: record.host, port: record.port, ...(record.rack === undefined ? {} : { rack: record.rack }),
          fenced: true, inControlledShutdown: false, registeredAtOffset: offset, controlledShutdownOffset: -1,
        });
        this.lastBrokerEpoch = Math.max(this.lastBrokerEpoch, record.brokerEpoch);
        break;
      }
      case 'UnregisterBroker':
        this.requireBroker(record.brokerId, record.brokerEpoch);
        this.setBroker(record.brokerId, undefined);
        break;
      case 'FenceBroker': {
        const broker = this.requireBroker(record.brokerId, record.epoch);
        // A fenced broker is out of every election already; the shutdown flag has no meaning any more.
        this.setBroker(record.brokerId, { ...broker, fenced: true, inControlledShutdown: false, controlledShutdownOffset: -1 });
        break;
      }
      case 'UnfenceBroker': {
        const broker = this.requireBroker(record.brokerId, record.epoch);
        if (broker.inControlledShutdown) this.fail(`broker ${record.brokerId} is in controlled shutdown and cannot be unfenced`);
        this.setBroker(record.brokerId, { ...broker, fenced: false });
        break;
      }
      case 'BrokerControlledShutdown': {
        const broker = this.requireBroker(record.brokerId, record.epoch);
        if (broker.fenced) this.fail(`broker ${record.brokerId} is fenced and cannot enter controlled shutdown`);
        this.setBroker(record.brokerId, { ...broker, inControlledShutdown: true, controlledShutdownOffset: offset });
        break;
      }
      case 'Topic':
        if (this.topicIdOf(record.name) !== undefined) this.fail(`topic ${record.name} already exists`);
        if (this.topicById(record.topicId)) this.fail(`topic id ${record.topicId} is already in use`);
        this.setTopic({ name: record.name, topicId: record.topicId, partitions: Object.freeze([]), configs: EMPTY_CONFIGS });
        this.topicIdsByName ??= new Map(this.base.topicIdsByName);
        this.topicIdsByName.set(record.name, record.topicId);
        break;
      case 'Partition': {
        const topic = this.requireTopic(record.topicId);
        if (record.partition !== topic.partitions.length) {
          this.fail(`partition ${record.partition} of ${topic.name} does not follow its ${topic.partitions.length} partitions`);
        }
        const problem = partitionProblem(record.replicas, record.isr, record.leader);
        if (problem) this.fail(`partition ${topic.name}-${record.partition}: ${problem}`);
        const partition: PartitionImage = Object.freeze({
          topicId: record.topicId, partition: record.partition,
          replicas: Object.freeze([...record.replicas]), isr: Object.freeze([...record.isr]),
          leader: record.leader, leaderEpoch: record.leaderEpoch, partitionEpoch: record.partitionEpoch,
          offlineReplicas: NO_OFFLINE_REPLICAS, addingReplicas: NO_REPLICAS, removingReplicas: NO_REPLICAS,
        });
        this.setTopic({ ...topic, partitions: Object.freeze([...topic.partitions, partition]) });
        break;
      }
      case 'PartitionChange':
        this.changePartition(record);
        break;
      case 'RemoveTopic': {
        const topic = this.requireTopic(record.topicId);
        this.topicsById ??= new Map(this.base.topicsById);
        this.topicsById.delete(record.topicId);
        this.topicIdsByName ??= new Map(this.base.topicIdsByName);
        this.topicIdsByName.delete(topic.name);
        break;
      }
      case 'Config':
        if (record.resourceType === 'topic') {
          const topicId = this.topicIdOf(record.resourceName) ?? this.fail(`config for unknown topic ${record.resourceName}`);
          const topic = this.requireTopic(topicId);
          this.setTopic({ ...topic, configs: withConfig(topic.configs, record.name, record.value) });
        } else {
          this.brokerConfigs ??= new Map(this.base.brokerConfigs);
          const next = withConfig(this.brokerConfigs.get(record.resourceName) ?? EMPTY_CONFIGS, record.name, record.value);
          if (Object.keys(next).length === 0) this.brokerConfigs.delete(record.resourceName);
          else this.brokerConfigs.set(record.resourceName, next);
        }
        break;
      case 'ProducerIds':
        if (record.nextProducerId <= this.nextProducerId) {
          this.fail(`producer id block end ${record.nextProducerId} is not above ${this.nextProducerId}`);
        }
        this.nextProducerId = record.nextProducerId;
        break;
      case 'RequestResult':
        this.requestResults = rememberRequestResult(this.requestResults ?? this.base.requestResults, {
          requestId: record.requestId, operation: record.operation, timestamp: record.timestamp, offset,
          results: Object.freeze(record.results.map((r) => Object.freeze({ ...r }))),
        });
        break;
    }
    this.highestOffset = offset;
  }

  private changePartition(record: PartitionChangeRecord): void {
    const topic = this.requireTopic(record.topicId);
    const current = topic.partitions[record.partition] ?? this.fail(`unknown partition ${topic.name}-${record.partition}`);
    const replicas = record.replicas ?? current.replicas;
    const isr = record.isr ?? current.isr;
    const leader = record.leader ?? current.leader;
    // A replica that leaves the replica set takes its offline mark (and its part in a reassignment) with it.
    const offline = record.offlineReplicas ?? current.offlineReplicas.filter((id) => replicas.includes(id));
    const adding = record.addingReplicas ?? current.addingReplicas.filter((id) => replicas.includes(id));
    const removing = record.removingReplicas ?? current.removingReplicas.filter((id) => replicas.includes(id));
    const problem = partitionProblem(replicas, isr, leader, offline, adding, removing);
    if (problem) this.fail(`partition change of ${topic.name}-${record.partition}: ${problem}`);
    const list = (ids: readonly number[]): readonly number[] => (ids.length === 0 ? NO_REPLICAS : Object.freeze([...ids]));
    const next: PartitionImage = Object.freeze({
      ...current,
      replicas: Object.freeze([...replicas]), isr: Object.freeze([...isr]), leader,
      offlineReplicas: list(offline), addingReplicas: list(adding), removingReplicas: list(removing),
      leaderEpoch: record.leader === undefined ? current.leaderEpoch : current.leaderEpoch + 1,
      partitionEpoch: current.partitionEpoch + 1,
    });
    const partitions = [...topic.partitions];
    partitions[record.partition] = next;
    this.setTopic({ ...topic, partitions: Object.freeze(partitions) });
  }
}

function withConfig(configs: Readonly<Record<string, string>>, name: string, value: string | null): Readonly<Record<string, string>> {
  const next: Record<string, string> = { ...configs };
  if (value === null) delete next[name];
  else next[name] = value;
  return Object.freeze(next);
}
