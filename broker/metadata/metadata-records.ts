// The records of the `__cluster_metadata` log, mirroring KRaft's (RegisterBrokerRecord,
// FenceBrokerRecord, TopicRecord, PartitionRecord, PartitionChangeRecord, ConfigRecord,
// ProducerIdsRecord, RemoveTopicRecord, ...), plus RequestResult, which Kafka lacks. Each is a JSON object with a `type` and a `version`;
// the metadata log is small, so readability beats compactness. Decoding checks every field and
// refuses anything else with a MetadataRecordError; encoding runs the same checks, so the
// controller can never write a record that a follower would refuse to read.
import { validateTopicName } from '../log/index.js';
import { MetadataRecordError } from './metadata-errors.js';
import {
  asObject, brokerIds, int, int32, int64, jsonObjects, onlyKeys, optBrokerIds, optStr, str, type Fail, type Obj,
} from './field-checks.js';

export const METADATA_RECORD_VERSION = 1;
type Version = typeof METADATA_RECORD_VERSION;

/** A broker's registration; a new registration always starts fenced (KRaft's rule). */
export interface RegisterBrokerRecord {
  readonly type: 'RegisterBroker'; readonly version: Version;
  readonly brokerId: number; readonly incarnationId: string; readonly brokerEpoch: number;
  readonly host: string; readonly port: number; readonly rack?: string; readonly fenced: true;
}
export interface UnregisterBrokerRecord {
  readonly type: 'UnregisterBroker'; readonly version: Version; readonly brokerId: number; readonly brokerEpoch: number;
}
export interface FenceBrokerRecord {
  readonly type: 'FenceBroker'; readonly version: Version; readonly brokerId: number; readonly epoch: number;
}
export interface UnfenceBrokerRecord {
  readonly type: 'UnfenceBroker'; readonly version: Version; readonly brokerId: number; readonly epoch: number;
}
/** The broker asked for a controlled shutdown: it is no longer chosen as leader or for new replicas. */
export interface BrokerControlledShutdownRecord {
  readonly type: 'BrokerControlledShutdown'; readonly version: Version; readonly brokerId: number; readonly epoch: number;
}
export interface TopicRecord {
  readonly type: 'Topic'; readonly version: Version; readonly name: string; readonly topicId: string;
}
export interface PartitionRecord {
  readonly type: 'Partition'; readonly version: Version;
  readonly topicId: string; readonly partition: number;
  readonly replicas: readonly number[]; readonly isr: readonly number[];
  /** -1: no leader (offline). */
  readonly leader: number; readonly leaderEpoch: number; readonly partitionEpoch: number;
}
/** Changes the fields present. Applying it bumps partitionEpoch; a present `leader` also bumps
 * leaderEpoch (the controller only includes `leader` when the leader changes, as Kafka does).
 * `offlineReplicas` replaces the list of replicas whose log is offline on their broker.
 * `addingReplicas` / `removingReplicas` (KRaft's fields) replace those of a running reassignment;
 * absent, they keep what is left of them in the new replicas. */
export interface PartitionChangeRecord {
  readonly type: 'PartitionChange'; readonly version: Version;
  readonly topicId: string; readonly partition: number;
  readonly isr?: readonly number[]; readonly leader?: number; readonly replicas?: readonly number[];
  readonly offlineReplicas?: readonly number[];
  readonly addingReplicas?: readonly number[]; readonly removingReplicas?: readonly number[];
}
export interface RemoveTopicRecord {
  readonly type: 'RemoveTopic'; readonly version: Version; readonly topicId: string;
}
export type ConfigResourceKind = 'topic' | 'broker';
/** One config override; value null deletes it. A broker resourceName is a broker id, or '' for the
 * cluster-wide default (Kafka's convention). */
export interface ConfigRecord {
  readonly type: 'Config'; readonly version: Version;
  readonly resourceType: ConfigResourceKind; readonly resourceName: string; readonly name: string; readonly value: string | null;
}
/** A block of producer ids was handed to a broker; nextProducerId is the first id after the block. */
export interface ProducerIdsRecord {
  readonly type: 'ProducerIds'; readonly version: Version;
  readonly brokerId: number; readonly brokerEpoch: number; readonly nextProducerId: number;
}
/** The cluster id, written once by the first active controller (KRaft keeps it in meta.properties;
 * here the log carries it so that every broker can check it against its own). */
export interface ClusterIdRecord {
  readonly type: 'ClusterId'; readonly version: Version; readonly clusterId: string;
}

/** The answer of a forwarded admin write, written with the decision's other records (so it commits
 * with them), under the request id the forwarding node made: a retry of that request, after
 * NOT_CONTROLLER or a lost connection, is answered with these results instead of being decided again.
 * `timestamp` is the deciding controller's clock; the image forgets old results by it. */
export interface RequestResultRecord {
  readonly type: 'RequestResult'; readonly version: Version;
  readonly requestId: string; readonly operation: string; readonly timestamp: number;
  /** The decision's per-item results, as JSON objects. */
  readonly results: readonly Readonly<Record<string, unknown>>[];
}

export type MetadataRecord =
  | RegisterBrokerRecord | UnregisterBrokerRecord | FenceBrokerRecord | UnfenceBrokerRecord
  | BrokerControlledShutdownRecord | TopicRecord | PartitionRecord | PartitionChangeRecord
  | RemoveTopicRecord | ConfigRecord | ProducerIdsRecord | ClusterIdRecord | RequestResultRecord;

export type MetadataRecordType = MetadataRecord['type'];

/** Builds a record of the current version: `record('Topic', { name, topicId })`. */
export function metadataRecord<T extends MetadataRecordType>(
  type: T, fields: Omit<Extract<MetadataRecord, { type: T }>, 'type' | 'version'>,
): Extract<MetadataRecord, { type: T }> {
  return { type, version: METADATA_RECORD_VERSION, ...fields } as unknown as Extract<MetadataRecord, { type: T }>;
}

const fail: Fail = (message) => {
  throw new MetadataRecordError(message);
};

function topicName(o: Obj, key: string): string {
  const name = str(o, key, fail);
  try {
    validateTopicName(name);
  } catch (err) {
    fail(`field ${key}: ${(err as Error).message}`);
  }
  return name;
}

/** Config names become object keys in the image: the one key that would reach the prototype is refused. */
export function isStorableConfigName(name: string): boolean {
  return name.length > 0 && name !== '__proto__';
}

function configName(o: Obj, key: string): string {
  const name = str(o, key, fail);
  if (!isStorableConfigName(name)) fail(`field ${key} holds a config name that cannot be stored: ${JSON.stringify(name)}`);
  return name;
}

const BROKER_RESOURCE_NAME = /^(|0|[1-9]\d{0,9})$/;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** What a forwarding node may use as a request id: 1 to 64 of [A-Za-z0-9._:-] (a UUID fits). */
export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}


/** Per type: its fields (beyond type and version) and the checker that builds the typed record. */
const DECODERS: { [T in MetadataRecordType]: { keys: readonly string[]; read: (o: Obj) => Extract<MetadataRecord, { type: T }> } } = {
  RegisterBroker: {
    keys: ['brokerId', 'incarnationId', 'brokerEpoch', 'host', 'port', 'rack', 'fenced'],
    read: (o) => {
      if (o.fenced !== true) fail('field fenced must be true: a registration starts fenced');
      const rack = optStr(o, 'rack', fail);
      return metadataRecord('RegisterBroker', {
        brokerId: int32(o, 'brokerId', 0, fail), incarnationId: str(o, 'incarnationId', fail),
        brokerEpoch: int64(o, 'brokerEpoch', 0, fail), host: str(o, 'host', fail),
        port: int(o, 'port', 1, 65535, fail),
        ...(rack === undefined ? {} : { rack }), fenced: true,
      });
    },
  },
  UnregisterBroker: {
    keys: ['brokerId', 'brokerEpoch'],
    read: (o) => metadataRecord('UnregisterBroker', { brokerId: int32(o, 'brokerId', 0, fail), brokerEpoch: int64(o, 'brokerEpoch', 0, fail) }),
  },
  FenceBroker: {
    keys: ['brokerId', 'epoch'],
    read: (o) => metadataRecord('FenceBroker', { brokerId: int32(o, 'brokerId', 0, fail), epoch: int64(o, 'epoch', 0, fail) }),
  },
  UnfenceBroker: {
    keys: ['brokerId', 'epoch'],
    read: (o) => metadataRecord('UnfenceBroker', { brokerId: int32(o, 'brokerId', 0, fail), epoch: int64(o, 'epoch', 0, fail) }),
  },
  BrokerControlledShutdown: {
    keys: ['brokerId', 'epoch'],
    read: (o) => metadataRecord('BrokerControlledShutdown', { brokerId: int32(o, 'brokerId', 0, fail), epoch: int64(o, 'epoch', 0, fail) }),
  },
  Topic: {
    keys: ['name', 'topicId'],
    read: (o) => metadataRecord('Topic', { name: topicName(o, 'name'), topicId: str(o, 'topicId', fail) }),
  },
  Partition: {
    keys: ['topicId', 'partition', 'replicas', 'isr', 'leader', 'leaderEpoch', 'partitionEpoch'],
    read: (o) => metadataRecord('Partition', {
      topicId: str(o, 'topicId', fail), partition: int32(o, 'partition', 0, fail),
      replicas: brokerIds(o, 'replicas', fail, false), isr: brokerIds(o, 'isr', fail, false),
      leader: int32(o, 'leader', -1, fail), leaderEpoch: int32(o, 'leaderEpoch', 0, fail),
      partitionEpoch: int32(o, 'partitionEpoch', 0, fail),
    }),
  },
  PartitionChange: {
    keys: ['topicId', 'partition', 'isr', 'leader', 'replicas', 'offlineReplicas', 'addingReplicas', 'removingReplicas'],
    read: (o) => {
      const isr = optBrokerIds(o, 'isr', fail, false);
      const replicas = optBrokerIds(o, 'replicas', fail, false);
      const offlineReplicas = optBrokerIds(o, 'offlineReplicas', fail, true);
      const addingReplicas = optBrokerIds(o, 'addingReplicas', fail, true);
      const removingReplicas = optBrokerIds(o, 'removingReplicas', fail, true);
      const leader = o.leader === undefined ? undefined : int32(o, 'leader', -1, fail);
      return metadataRecord('PartitionChange', {
        topicId: str(o, 'topicId', fail), partition: int32(o, 'partition', 0, fail),
        ...(isr === undefined ? {} : { isr }), ...(leader === undefined ? {} : { leader }),
        ...(replicas === undefined ? {} : { replicas }), ...(offlineReplicas === undefined ? {} : { offlineReplicas }),
        ...(addingReplicas === undefined ? {} : { addingReplicas }), ...(removingReplicas === undefined ? {} : { removingReplicas }),
      });
    },
  },
  RemoveTopic: {
    keys: ['topicId'],
    read: (o) => metadataRecord('RemoveTopic', { topicId: str(o, 'topicId', fail) }),
  },
  Config: {
    keys: ['resourceType', 'resourceName', 'name', 'value'],
    read: (o) => {
      const resourceType = o.resourceType;
      if (resourceType !== 'topic' && resourceType !== 'broker') fail('field resourceType must be "topic" or "broker"');
      const resourceName = resourceType === 'topic' ? topicName(o, 'resourceName') : str(o, 'resourceName', fail, true);
      if (resourceType === 'broker' && !BROKER_RESOURCE_NAME.test(resourceName)) fail('a broker resourceName is a broker id or empty');
      if (o.value !== null && typeof o.value !== 'string') fail('field value must be a string or null');
      return metadataRecord('Config', {
        resourceType: resourceType as ConfigResourceKind, resourceName, name: configName(o, 'name'), value: o.value as string | null,
      });
    },
  },
  ProducerIds: {
    keys: ['brokerId', 'brokerEpoch', 'nextProducerId'],
    read: (o) => metadataRecord('ProducerIds', {
      brokerId: int32(o, 'brokerId', 0, fail), brokerEpoch: int64(o, 'brokerEpoch', 0, fail),
      nextProducerId: int64(o, 'nextProducerId', 1, fail),
    }),
  },
  ClusterId: {
    keys: ['clusterId'],
    read: (o) => metadataRecord('ClusterId', { clusterId: str(o, 'clusterId', fail) }),
  },
  RequestResult: {
    keys: ['requestId', 'operation', 'timestamp', 'results'],
    read: (o) => {
      if (!isRequestId(o.requestId)) fail('field requestId must be 1 to 64 characters of [A-Za-z0-9._:-]');
      return metadataRecord('RequestResult', {
        requestId: o.requestId as string, operation: str(o, 'operation', fail), timestamp: int64(o, 'timestamp', 0, fail),
        results: jsonObjects(o, 'results', fail),
      });
    },
  },
};

/** Checks a decoded JSON value and returns it as a record with exactly the record's fields. */
export function checkMetadataRecord(value: unknown): MetadataRecord {
  const o = asObject(value, 'metadata record', fail);
  const type = o.type;
  if (typeof type !== 'string' || !Object.hasOwn(DECODERS, type)) fail(`unknown metadata record type ${JSON.stringify(type)}`);
  if (o.version !== METADATA_RECORD_VERSION) fail(`unsupported version ${JSON.stringify(o.version)} of ${type as string} record`);
  const decoder = DECODERS[type as MetadataRecordType];
  onlyKeys(o, ['type', 'version', ...decoder.keys], `${type as string} record`, fail);
  return decoder.read(o);
}

export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  return Buffer.from(JSON.stringify(checkMetadataRecord(record)), 'utf8');
}

export function decodeMetadataRecord(bytes: Uint8Array): MetadataRecord {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('metadata record is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail(`metadata record is not valid JSON (${(err as Error).message})`);
  }
  return checkMetadataRecord(value);
}
