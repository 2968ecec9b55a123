// Public face of the client SDK: producer, consumer, admin, their options, errors, the records API,
// partitioners, and the wire protocol the broker and mirror share with the client (error table,
// record-batch codec, proto loading, the generated types as `wire`). Other modules import only this.
//
// Options use Kafka's own dotted names in a plain object ('bootstrap.servers', 'linger.ms',
// 'enable.idempotence', 'auto.offset.reset', ...), with numbers/booleans or their string forms, so a
// Kafka properties file or the CLI's `--producer-property k=v` pairs pass through unchanged. A bad
// value throws InvalidConfigError (code INVALID_CONFIG) naming the key; unknown keys are kept in
// config.unknownKeys for the caller to warn about, as Kafka's clients warn rather than fail.
//
// Producer: send(topic, record) gives one promise per record (RecordMetadata on acknowledgement;
// acks=0 resolves at write with offset -1). sendMany(topic, records) is the bulk path: one promise for
// the whole array, no per-record promise or metadata object. sendBatch is Promise.all over send.
// sendRawBatch(topic, partition, bytes) sends a prebuilt RecordBatch v2 as one batch (the mirror's
// whole-batch forwarding): only producer id, epoch, base sequence and the CRC are rewritten.
//
// Admin: an operation over several items (topics, config resources, groups) throws one
// AdminOperationError listing every failed item with its StraitError, after the other items have
// succeeded. It also has the consumer-group operations kafka-consumer-groups.sh is built on (list,
// describe and delete groups; list, alter and delete committed offsets).
//
// Consumer: manual assignment (assign) or consumer groups (subscribe with group.id: KIP-848's
// protocol, the coordinator assigns partitions, cooperative revocation with awaited listeners),
// commits (explicit and enable.auto.commit), pause/resume, seek, poll and async iterators.
// pollBatches() is the raw path: each partition's fetched data as whole stored batches, undecoded.
export { Producer, type OutgoingRecord, type RawBatchMetadata } from './producer/producer.js';
export { parseProducerConfig, type ProducerOptions, type ProducerConfig, type PartitionerName } from './producer/producer-config.js';
export type { RecordMetadata } from './producer/producer-batch.js';

export { Consumer, type GroupMetadata, type FetchedBatches } from './consumer/consumer.js';
export type { RebalanceListener } from './consumer/group-session.js';
export { parseConsumerConfig, type ConsumerOptions, type ConsumerConfig, type GroupConfig, type GroupAssignorName, type OffsetResetPolicy, type IsolationLevelName } from './consumer/consumer-config.js';
export type { OffsetToCommit, CommittedOffset, TopicPartitionRef } from './groups/offsets.js';
export type { ConsumedRecordWithTopic } from './consumer/completed-fetch.js';
export type { TopicPartition } from './consumer/partition-state.js';

export {
  Admin,
  type AdminOptions,
  type NewTopic,
  type CreatedTopic,
  type TopicDescription,
  type ConfigResource,
  type ConfigResourceKind,
  type ConfigEntryDescription,
  type DescribedResource,
  type ConfigAlteration,
  type AlterOp,
  type ClusterDescription,
  type ClusterNode,
} from './admin/admin.js';
export { AdminOperationError, type ItemFailure } from './admin/admin-errors.js';
export type {
  BrokerLogDirs, ElectionOutcome, ElectionType, LogDirDescription, PartitionReassignment, PartitionReassignmentTarget, ReplicaLogInfo,
  TopicPartitionId,
} from './admin/replication-admin.js';

// Config files (the broker's and the mirror's): Java properties or YAML flattened to dotted keys, each
// entry with its line; ConfigError names the file, line and key of what cannot be used.
export { parseProperties, PropertiesSyntaxError, type PropertyEntry } from './config/properties-parser.js';
export { readConfigEntries, parseYamlConfig, isYamlFile } from './config/config-file.js';
export { ConfigError, type ConfigErrorLocation } from './config/config-error.js';
export { refusedSecurityKey, NO_TLS_OR_SASL } from './config/security-keys.js';
export type { ConsumerGroupListing, ConsumerGroupDescription, GroupMemberDescription } from './admin/consumer-groups.js';

// GET /metrics, /healthz and /readyz for any Strait process (broker, mirror) over its prom-client registry.
export { startMetricsEndpoint, type MetricsEndpoint } from './metrics/http-endpoint.js';
// Broker and mirror processes: an error nothing handled is logged at fatal level and ends the process.
export { exitOnUnexpectedErrors } from './process/fatal-errors.js';

export { InvalidConfigError, ConfigReader, type ConfigObject, type ConfigValue } from './cluster/config-values.js';
export { parseBootstrapServers, formatAddress, type BrokerAddress } from './cluster/bootstrap.js';
export { backoffDelay, withRetry, isRetriableError, DEFAULT_RETRY_POLICY, type RetryPolicy } from './cluster/retry.js';
export { fromTransportError, errorCodeForStatus } from './cluster/grpc-errors.js';
export { MetadataCache, type PartitionInfo, type TopicInfo, type BrokerNode } from './cluster/metadata-cache.js';
export { Cluster } from './cluster/cluster.js';
export { ConnectionPool, unaryCall } from './cluster/connection-pool.js';
export { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, type OffsetQuery, type OffsetAnswer } from './cluster/list-offsets.js';

export { StraitError, ErrorCode, errorFromCode, errorName, isRetriable, defaultMessage, type ErrorCodeValue, type StraitErrorOptions } from './errors.js';

export * from './records/index.js';
export {
  createPartitioner,
  partitionForKey,
  murmur2,
  StickyPartitioner,
  RoundRobinPartitioner,
  Murmur2Partitioner,
  type Partitioner,
} from './partitioner.js';

export { loadProtos, channelOptions, protoDir, PROTO_FILES, MAX_GRPC_MESSAGE_BYTES, FLOW_CONTROL_WINDOW_BYTES, type StraitProto } from './wire/proto.js';
// Every generated message, enum and service type of proto/*.proto, as one type-only namespace
// (wire.FetchRequest__Output, wire.QuorumHandlers): the broker, the mirror and the CLI type their
// gRPC code with it. A namespace, because several proto names are also SDK names (ConfigResource,
// ErrorCode). The enums the code needs as values are exported below by name.
export type * as wire from './wire/generated/index.js';
export { IsolationLevel } from './wire/generated/strait/v1/IsolationLevel.js';
export { ConfigResourceType } from './wire/generated/strait/v1/ConfigResourceType.js';
export { ConfigSource } from './wire/generated/strait/v1/ConfigSource.js';
export { AlterConfigOp } from './wire/generated/strait/v1/AlterConfigOp.js';
