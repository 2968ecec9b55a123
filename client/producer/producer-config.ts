// Producer settings, read from Kafka's dotted names ('linger.ms', 'enable.idempotence'), with Kafka's
// defaults and Kafka's consistency rules.
import { parseCompressionType } from '../records/index.js';
import type { CompressionType } from '../records/batch-header.js';
import { ConfigReader, InvalidConfigError, type ConfigObject } from '../cluster/config-values.js';
import { MAX_INT32, readClientConfig, type ClientConfig } from '../cluster/client-config.js';

export type PartitionerName = 'sticky' | 'round-robin' | 'murmur2';

/** Kafka-style keys; values may be strings (as the CLI passes them) or numbers/booleans. */
export interface ProducerOptions {
  'bootstrap.servers': string | readonly string[];
  'client.id'?: string;
  acks?: 0 | 1 | -1 | 'all' | '0' | '1' | '-1';
  'batch.size'?: number | string;
  'linger.ms'?: number | string;
  'compression.type'?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' | string;
  retries?: number | string;
  'retry.backoff.ms'?: number | string;
  'retry.backoff.max.ms'?: number | string;
  'delivery.timeout.ms'?: number | string;
  'request.timeout.ms'?: number | string;
  'max.in.flight.requests.per.connection'?: number | string;
  'enable.idempotence'?: boolean | string;
  partitioner?: PartitionerName;
  'max.request.size'?: number | string;
  'metadata.max.age.ms'?: number | string;
  'allow.auto.create.topics'?: boolean | string;
  [key: string]: ConfigObject[string];
}

export interface ProducerConfig extends ClientConfig {
  acks: 0 | 1 | -1;
  batchSize: number;
  lingerMs: number;
  compression: CompressionType;
  deliveryTimeoutMs: number;
  maxInFlight: number;
  idempotence: boolean;
  partitioner: PartitionerName;
  maxRequestSize: number;
  /** Keys given but not known here; Kafka warns about these instead of failing. */
  unknownKeys: string[];
}

function readAcks(reader: ConfigReader): 0 | 1 | -1 {
  const v = reader.string('acks', 'all');
  if (v === 'all' || v === '-1') return -1;
  if (v === '0') return 0;
  if (v === '1') return 1;
  throw new InvalidConfigError('acks', `'${v}' is not one of 0, 1, -1, all`);
}

export function parseProducerConfig(options: ProducerOptions): ProducerConfig {
  const reader = new ConfigReader(options);
  const client = readClientConfig(reader, { retries: MAX_INT32, clientIdPrefix: 'producer' });
  const acks = readAcks(reader);
  const batchSize = reader.int('batch.size', 16384, { min: 0 });
  const lingerMs = reader.int('linger.ms', 5, { min: 0 });
  let compression: CompressionType;
  const compressionName = reader.string('compression.type', 'none');
  try {
    compression = parseCompressionType(compressionName);
  } catch {
    throw new InvalidConfigError('compression.type', `'${compressionName}' is not one of none, gzip, snappy, lz4, zstd`);
  }
  const deliveryTimeoutMs = reader.int('delivery.timeout.ms', 120_000, { min: 1 });
  const maxInFlight = reader.int('max.in.flight.requests.per.connection', 5, { min: 1 });
  const partitioner = reader.oneOf<PartitionerName>('partitioner', 'sticky', ['sticky', 'round-robin', 'murmur2']);
  const maxRequestSize = reader.int('max.request.size', 1_048_576, { min: 1 });
  const idempotenceExplicit = reader.has('enable.idempotence');
  let idempotence = reader.bool('enable.idempotence', true);
  if (deliveryTimeoutMs < lingerMs + client.requestTimeoutMs) {
    throw new InvalidConfigError('delivery.timeout.ms', `${deliveryTimeoutMs} must be at least linger.ms + request.timeout.ms (${lingerMs + client.requestTimeoutMs})`);
  }
  // Kafka's rule: idempotence needs acks=all, at most 5 in flight and retries; by default it quietly
  // turns off when those are set otherwise, but an explicit request for it is a configuration error.
  const conflict =
    acks !== -1 ? 'acks must be all' : maxInFlight > 5 ? 'max.in.flight.requests.per.connection must be at most 5' : client.retry.retries === 0 ? 'retries must be above 0' : undefined;
  if (idempotence && conflict) {
    if (idempotenceExplicit) throw new InvalidConfigError('enable.idempotence', `true needs ${conflict}`);
    idempotence = false;
  }
  return {
    ...client,
    acks,
    batchSize,
    lingerMs,
    compression,
    deliveryTimeoutMs,
    maxInFlight,
    idempotence,
    partitioner,
    maxRequestSize,
    unknownKeys: reader.unusedKeys(),
  };
}
