// A MetadataImage as one JSON document, in a canonical order (brokers by id, topics by name, config
// keys sorted) so that equal images give equal bytes. Reading checks every field and every
// cross-reference (the same invariants `apply` keeps), throwing MetadataSnapshotError.
import {
  asObject, bool, brokerIds, int, int32, int64, jsonObjects, onlyKeys, optBrokerIds, optStr, str, type Fail, type Obj,
} from './field-checks.js';
import { MetadataSnapshotError } from './metadata-errors.js';
import { isRequestId, isStorableConfigName } from './metadata-records.js';
import { validateTopicName } from '../log/index.js';
import {
  NO_OFFLINE_REPLICAS, NO_REPLICAS, partitionProblem, type BrokerImage, type ImageState, type PartitionImage, type RequestResultImage,
  type TopicImage,
} from './image-types.js';

const FORMAT = 'strait-metadata-image';
const FORMAT_VERSION = 1;

const fail: Fail = (message) => {
  throw new MetadataSnapshotError(message);
};

function sortedConfigs(configs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(configs).sort()) out[key] = configs[key]!;
  return out;
}

export function encodeImageState(state: ImageState): Buffer {
  const brokers = [...state.brokers.values()].sort((a, b) => a.brokerId - b.brokerId).map((b) => ({
    brokerId: b.brokerId, incarnationId: b.incarnationId, brokerEpoch: b.brokerEpoch, host: b.host, port: b.port,
    ...(b.rack === undefined ? {} : { rack: b.rack }), fenced: b.fenced, inControlledShutdown: b.inControlledShutdown,
    registeredAtOffset: b.registeredAtOffset, controlledShutdownOffset: b.controlledShutdownOffset,
  }));
  const topics = [...state.topicsById.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => ({
    name: t.name, topicId: t.topicId, configs: sortedConfigs(t.configs),
    partitions: t.partitions.map((p) => ({
      replicas: p.replicas, isr: p.isr, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch,
      // Written only when set, so that snapshots of images without offline replicas keep their bytes.
      ...(p.offlineReplicas.length > 0 ? { offlineReplicas: p.offlineReplicas } : {}),
      ...(p.addingReplicas.length > 0 ? { addingReplicas: p.addingReplicas } : {}),
      ...(p.removingReplicas.length > 0 ? { removingReplicas: p.removingReplicas } : {}),
    })),
  }));
  const brokerConfigs = [...state.brokerConfigs.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([resourceName, configs]) => ({ resourceName, configs: sortedConfigs(configs) }));
  // Oldest first, as the table keeps them; written only when there are any, so that snapshots of
  // images without forwarded writes keep their bytes.
  const requestResults = [...state.requestResults.values()].map((r) => ({
    requestId: r.requestId, operation: r.operation, timestamp: r.timestamp, offset: r.offset, results: r.results,
  }));
  const doc = {
    format: FORMAT, version: FORMAT_VERSION, highestOffset: state.highestOffset,
    ...(state.clusterId === undefined ? {} : { clusterId: state.clusterId }),
    lastBrokerEpoch: state.lastBrokerEpoch, nextProducerId: state.nextProducerId, brokers, topics, brokerConfigs,
    ...(requestResults.length > 0 ? { requestResults } : {}),
  };
  return Buffer.from(JSON.stringify(doc), 'utf8');
}

function array(o: Obj, key: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(`field ${key} must be an array`);
  return v as unknown[];
}

function configs(value: unknown, what: string): Readonly<Record<string, string>> {
  const o = asObject(value, what, fail);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!isStorableConfigName(k) || typeof v !== 'string') fail(`${what}: bad entry ${JSON.stringify(k)}`);
    out[k] = v as string;
  }
  return Object.freeze(out);
}

function readBroker(value: unknown, highestOffset: number): BrokerImage {
  const o = asObject(value, 'broker', fail);
  onlyKeys(o, ['brokerId', 'incarnationId', 'brokerEpoch', 'host', 'port', 'rack', 'fenced', 'inControlledShutdown',
    'registeredAtOffset', 'controlledShutdownOffset'], 'broker', fail);
  const rack = optStr(o, 'rack', fail);
  const broker: BrokerImage = {
    brokerId: int32(o, 'brokerId', 0, fail), incarnationId: str(o, 'incarnationId', fail),
    brokerEpoch: int64(o, 'brokerEpoch', 0, fail), host: str(o, 'host', fail), port: int(o, 'port', 1, 65535, fail),
    ...(rack === undefined ? {} : { rack }), fenced: bool(o, 'fenced', fail), inControlledShutdown: bool(o, 'inControlledShutdown', fail),
    registeredAtOffset: int(o, 'registeredAtOffset', 0, highestOffset, fail),
    controlledShutdownOffset: int(o, 'controlledShutdownOffset', -1, highestOffset, fail),
  };
  if (broker.inControlledShutdown !== (broker.controlledShutdownOffset >= 0) || (broker.inControlledShutdown && broker.fenced)) {
    fail(`broker ${broker.brokerId}: inconsistent fenced / controlled shutdown state`);
  }
  return Object.freeze(broker);
}

function readTopic(value: unknown): TopicImage {
  const o = asObject(value, 'topic', fail);
  onlyKeys(o, ['name', 'topicId', 'configs', 'partitions'], 'topic', fail);
  const name = str(o, 'name', fail);
  try {
    validateTopicName(name);
  } catch (err) {
    fail((err as Error).message);
  }
  const topicId = str(o, 'topicId', fail);
  const partitions = array(o, 'partitions').map((pv, partition): PartitionImage => {
    const p = asObject(pv, 'partition', fail);
    onlyKeys(p, ['replicas', 'isr', 'leader', 'leaderEpoch', 'partitionEpoch', 'offlineReplicas', 'addingReplicas', 'removingReplicas'], 'partition', fail);
    const replicas = Object.freeze(brokerIds(p, 'replicas', fail, false));
    const isr = Object.freeze(brokerIds(p, 'isr', fail, false));
    const leader = int32(p, 'leader', -1, fail);
    const listed = optBrokerIds(p, 'offlineReplicas', fail, false);
    const offlineReplicas = listed === undefined ? NO_OFFLINE_REPLICAS : Object.freeze(listed);
    const adding = optBrokerIds(p, 'addingReplicas', fail, false);
    const removing = optBrokerIds(p, 'removingReplicas', fail, false);
    const addingReplicas = adding === undefined ? NO_REPLICAS : Object.freeze(adding);
    const removingReplicas = removing === undefined ? NO_REPLICAS : Object.freeze(removing);
    const problem = partitionProblem(replicas, isr, leader, offlineReplicas, addingReplicas, removingReplicas);
    if (problem) fail(`partition ${name}-${partition}: ${problem}`);
    return Object.freeze({
      topicId, partition, replicas, isr, leader,
      leaderEpoch: int32(p, 'leaderEpoch', 0, fail), partitionEpoch: int32(p, 'partitionEpoch', 0, fail), offlineReplicas,
      addingReplicas, removingReplicas,
    });
  });
  return Object.freeze({ name, topicId, partitions: Object.freeze(partitions), configs: configs(o.configs, `configs of ${name}`) });
}

function readRequestResults(value: unknown, highestOffset: number): Map<string, RequestResultImage> {
  const out = new Map<string, RequestResultImage>();
  if (value === undefined) return out;
  if (!Array.isArray(value)) return fail('field requestResults must be an array');
  let lastOffset = -1;
  for (const v of value) {
    const o = asObject(v, 'request result', fail);
    onlyKeys(o, ['requestId', 'operation', 'timestamp', 'offset', 'results'], 'request result', fail);
    if (!isRequestId(o.requestId)) fail('request result: bad requestId');
    const requestId = o.requestId as string;
    if (out.has(requestId)) fail(`request result ${requestId} appears twice`);
    const offset = int(o, 'offset', 0, highestOffset, fail);
    if (offset <= lastOffset) fail('request results must be in offset order');
    lastOffset = offset;
    const results = jsonObjects(o, 'results', fail);
    out.set(requestId, Object.freeze({
      requestId, operation: str(o, 'operation', fail), timestamp: int64(o, 'timestamp', 0, fail), offset,
      results: Object.freeze(results.map((r) => Object.freeze(r))),
    }));
  }
  return out;
}

export function decodeImageState(bytes: Uint8Array): ImageState {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    return fail(`not valid UTF-8 JSON (${(err as Error).message})`);
  }
  const o = asObject(doc, 'snapshot', fail);
  if (o.format !== FORMAT || o.version !== FORMAT_VERSION) fail(`expected format ${FORMAT} version ${FORMAT_VERSION}`);
  onlyKeys(o, ['format', 'version', 'highestOffset', 'clusterId', 'lastBrokerEpoch', 'nextProducerId', 'brokers', 'topics', 'brokerConfigs',
    'requestResults'], 'snapshot', fail);
  const highestOffset = int64(o, 'highestOffset', -1, fail);
  const lastBrokerEpoch = int64(o, 'lastBrokerEpoch', -1, fail);
  const brokers = new Map<number, BrokerImage>();
  for (const b of array(o, 'brokers')) {
    const broker = readBroker(b, highestOffset);
    if (brokers.has(broker.brokerId)) fail(`broker ${broker.brokerId} appears twice`);
    if (broker.brokerEpoch > lastBrokerEpoch) fail(`broker ${broker.brokerId} epoch is above lastBrokerEpoch`);
    brokers.set(broker.brokerId, broker);
  }
  const topicsById = new Map<string, TopicImage>();
  const topicIdsByName = new Map<string, string>();
  for (const t of array(o, 'topics')) {
    const topic = readTopic(t);
    if (topicsById.has(topic.topicId) || topicIdsByName.has(topic.name)) fail(`topic ${topic.name} (${topic.topicId}) appears twice`);
    topicsById.set(topic.topicId, topic);
    topicIdsByName.set(topic.name, topic.topicId);
  }
  const brokerConfigs = new Map<string, Readonly<Record<string, string>>>();
  for (const e of array(o, 'brokerConfigs')) {
    const entry = asObject(e, 'broker config entry', fail);
    onlyKeys(entry, ['resourceName', 'configs'], 'broker config entry', fail);
    const resourceName = str(entry, 'resourceName', fail, true);
    if (brokerConfigs.has(resourceName)) fail(`broker configs of ${JSON.stringify(resourceName)} appear twice`);
    brokerConfigs.set(resourceName, configs(entry.configs, `broker configs of ${JSON.stringify(resourceName)}`));
  }
  return Object.freeze({
    highestOffset, clusterId: optStr(o, 'clusterId', fail), lastBrokerEpoch,
    nextProducerId: int64(o, 'nextProducerId', 0, fail), brokers, topicsById, topicIdsByName, brokerConfigs,
    requestResults: readRequestResults(o.requestResults, highestOffset),
  });
}
