// Public face of the storage engine (DESIGN §5): the other layers of the broker import only this.
export type {
  AppendResult, EpochEndOffset, LocatedRead, PartitionLog, ReadOptions, ReadResult, TimestampOffset,
} from './log-types.js';
export {
  Log, type LogOpenOptions, LATEST_TIMESTAMP, EARLIEST_TIMESTAMP, MAX_TIMESTAMP_QUERY,
} from './log.js';
export {
  LogManager, type LogManagerOptions, type BackgroundIntervals, type OfflineLog,
  CLUSTER_METADATA_DIR, CLEAN_SHUTDOWN_FILE, RECOVERY_POINT_CHECKPOINT, REPLICATION_CHECKPOINT, CLEANER_CHECKPOINT,
} from './log-manager.js';
export {
  descriptorShortage, logDescriptorBudget, openDescriptorCount, readOpenFileLimit, type DescriptorShortage,
} from './open-file-limit.js';
export { cleanLog, type CleanOutcome } from './log-cleaner.js';
export { readMetaProperties, writeMetaProperties, META_PROPERTIES, type MetaProperties } from './meta-properties.js';
export {
  PARTITION_METADATA_FILE, formatPartitionMetadata, readPartitionMetadata, writePartitionMetadata,
} from './partition-metadata.js';
export { LOCK_FILE, LogDirLock, LogDirLockedError, type LockHolder } from './log-dir-lock.js';
export { LogDirError, LogDirLocks, checkLogDir, lockLogDirs } from './log-dirs.js';
export {
  CorruptCheckpointError, readOffsetCheckpoint, writeOffsetCheckpoint, writeFileAtomic, type TopicPartitionOffset,
} from './checkpoint-file.js';
export {
  type TopicConfig, type CleanupPolicy, type MessageTimestampType, type TopicCompressionType, type TopicConfigDef,
  type TopicConfigName, type ConfigType, TOPIC_CONFIG_DEFS, InvalidConfigError, parseTopicConfigs, defaultTopicConfig,
  topicConfigToStrings, topicConfigValueToString, brokerDefaultsToTopicConfig, validateTopicName, isTopicConfigName,
  MAX_TOPIC_NAME_LENGTH, throttledReplicasInclude,
} from './topic-config.js';
