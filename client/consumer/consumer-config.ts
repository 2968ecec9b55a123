// Consumer settings, read from Kafka's dotted names with Kafka's defaults.
import { ConfigReader, InvalidConfigError, type ConfigObject } from '../cluster/config-values.js';
import { MAX_INT32, readClientConfig, type ClientConfig } from '../cluster/client-config.js';

export type OffsetResetPolicy = 'latest' | 'earliest' | 'none';
export type IsolationLevelName = 'read_uncommitted' | 'read_committed';

export interface ConsumerOptions {
  'bootstrap.servers': string | readonly string[];
  'client.id'?: string;
  /** Accepted and kept; group membership is not part of this client yet, use assign(). */
  'group.id'?: string;
  'auto.offset.reset'?: OffsetResetPolicy;
  'fetch.min.bytes'?: number | string;
  'fetch.max.bytes'?: number | string;
  'max.partition.fetch.bytes'?: number | string;
  'fetch.max.wait.ms'?: number | string;
  'isolation.level'?: IsolationLevelName;
  'max.poll.records'?: number | string;
  'request.timeout.ms'?: number | string;
  'retry.backoff.ms'?: number | string;
  'retry.backoff.max.ms'?: number | string;
  'metadata.max.age.ms'?: number | string;
  [key: string]: ConfigObject[string];
}

export interface ConsumerConfig extends ClientConfig {
  groupId: string | undefined;
  autoOffsetReset: OffsetResetPolicy;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  fetchMaxWaitMs: number;
  isolationLevel: 0 | 1;
  maxPollRecords: number;
  unknownKeys: string[];
}

export function parseConsumerConfig(options: ConsumerOptions): ConsumerConfig {
  const reader = new ConfigReader(options);
  const client = readClientConfig(reader, { retries: 5, clientIdPrefix: 'consumer' });
  const groupId = reader.has('group.id') ? reader.string('group.id', '') : undefined;
  const autoOffsetReset = reader.oneOf<OffsetResetPolicy>('auto.offset.reset', 'latest', ['latest', 'earliest', 'none']);
  const fetchMinBytes = reader.int('fetch.min.bytes', 1, { min: 0, max: MAX_INT32 });
  const fetchMaxBytes = reader.int('fetch.max.bytes', 52_428_800, { min: 0, max: MAX_INT32 });
  const maxPartitionFetchBytes = reader.int('max.partition.fetch.bytes', 1_048_576, { min: 0, max: MAX_INT32 });
  const fetchMaxWaitMs = reader.int('fetch.max.wait.ms', 500, { min: 0, max: MAX_INT32 });
  const isolation = reader.oneOf<IsolationLevelName>('isolation.level', 'read_uncommitted', ['read_uncommitted', 'read_committed']);
  const maxPollRecords = reader.int('max.poll.records', 500, { min: 1, max: MAX_INT32 });
  if (client.requestTimeoutMs <= fetchMaxWaitMs) {
    throw new InvalidConfigError('request.timeout.ms', `${client.requestTimeoutMs} must exceed fetch.max.wait.ms ${fetchMaxWaitMs}, or every long poll would time out`);
  }
  return {
    ...client,
    groupId,
    autoOffsetReset,
    fetchMinBytes,
    fetchMaxBytes,
    maxPartitionFetchBytes,
    fetchMaxWaitMs,
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    maxPollRecords,
    unknownKeys: reader.unusedKeys(),
  };
}
