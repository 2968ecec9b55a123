// Every broker key we understand, Kafka's names, with its type, default and allowed range.
// Topic-level defaults (log.retention.*, ...) are listed so that they are not reported as unknown;
// their values are checked here for type and range and then handed to brokerDefaultsToTopicConfig.

export type KeyType = 'int' | 'long' | 'bool' | 'string' | 'list' | 'double';

export interface KeyDef {
  type: KeyType;
  default?: string;
  min?: number;
  max?: number;
  /** One of these values (strings, compared case-sensitively). */
  oneOf?: readonly string[];
  /** Passed on to the topic config defaults. */
  topicDefault?: boolean;
  doc: string;
}

const INT_MAX = 2 ** 31 - 1;

export const BROKER_KEYS: Readonly<Record<string, KeyDef>> = {
  'node.id': { type: 'int', default: '1', min: 0, max: INT_MAX, doc: 'This node\'s id' },
  'broker.id': { type: 'int', min: 0, max: INT_MAX, doc: 'Alias of node.id (ZooKeeper-era name)' },
  'process.roles': { type: 'list', default: 'broker,controller', doc: 'broker, controller, or both' },
  // The listener and security keys are checked against each other in listener-config.ts.
  'listeners': { type: 'list', default: 'PLAINTEXT://127.0.0.1:9092', doc: 'Listener URIs, all bound on the node\'s one gRPC server; PLAINTEXT only' },
  'advertised.listeners': { type: 'list', doc: 'Listener URIs given to clients; defaults to listeners' },
  'listener.security.protocol.map': { type: 'list', doc: 'NAME:PROTOCOL; a listener in use must map to PLAINTEXT' },
  'controller.listener.names': { type: 'list', doc: 'Listeners of the controllers; PLAINTEXT only' },
  'inter.broker.listener.name': { type: 'string', doc: 'The listener brokers are reached on; the one given to clients; PLAINTEXT only' },
  'security.inter.broker.protocol': { type: 'string', doc: 'PLAINTEXT only; set this or inter.broker.listener.name' },
  'log.dirs': { type: 'list', doc: 'Data directories' },
  'log.dir': { type: 'string', default: '/tmp/strait-logs', doc: 'Data directory when log.dirs is unset' },
  'num.partitions': { type: 'int', default: '1', min: 1, max: 100_000, doc: 'Partitions of an auto-created topic' },
  'default.replication.factor': { type: 'int', default: '1', min: 1, max: 32_767, doc: 'Replication factor of an auto-created topic' },
  'auto.create.topics.enable': { type: 'bool', default: 'true', doc: 'Create a topic on first produce or metadata request' },
  'metrics.port': { type: 'int', default: '0', min: 0, max: 65_535, doc: 'HTTP port for /metrics, /healthz, /readyz; 0 = ephemeral' },
  'metrics.listener': { type: 'string', doc: 'http://host:port for /metrics; overrides metrics.port' },
  'log.retention.check.interval.ms': { type: 'long', default: '300000', min: 1, doc: 'How often retention runs' },
  'log.flush.scheduler.interval.ms': { type: 'long', default: '1000', min: 1, doc: 'How often dirty logs are checked for flush.ms' },
  'log.flush.offset.checkpoint.interval.ms': { type: 'long', default: '60000', min: 1, doc: 'How often recovery points are checkpointed' },
  'log.cleaner.backoff.ms': { type: 'long', default: '15000', min: 0, doc: 'Sleep between compaction passes' },
  'log.cleaner.enable': { type: 'bool', default: 'true', doc: 'Run compaction for compacted topics' },
  'producer.id.expiration.ms': { type: 'int', default: '86400000', min: 1, max: INT_MAX, doc: 'An idempotent producer id idle this long is forgotten by the partitions it wrote' },
  'producer.id.expiration.check.interval.ms': { type: 'int', default: '600000', min: 1, max: INT_MAX, doc: 'How often idle producer ids are looked for' },
  'message.max.bytes': { type: 'int', default: '1048588', min: 0, max: INT_MAX, topicDefault: true, doc: 'Largest record batch accepted' },
  'broker.rack': { type: 'string', default: '', doc: 'Rack of this node' },
  'cluster.id': { type: 'string', doc: 'Cluster id; else meta.properties; generated on first start only for a single-voter quorum' },
  'controller.quorum.voters': { type: 'list', doc: 'Metadata quorum voters id@host:port,...; unset: this node alone' },
  'controller.quorum.election.timeout.ms': { type: 'int', default: '1000', min: 10, max: 600_000, doc: 'Raft election timeout, randomized in [t, 2t)' },
  'controller.quorum.fetch.timeout.ms': { type: 'int', default: '2000', min: 10, max: 600_000, doc: 'Longest wait of a metadata fetch by a broker that is not a voter' },
  'controller.quorum.request.timeout.ms': { type: 'int', default: '2000', min: 10, max: 600_000, doc: 'Deadline of a quorum RPC and of a forwarded controller write without its own timeout' },
  'metadata.log.snapshot.interval.records': { type: 'int', default: '1000', min: 1, max: INT_MAX, doc: 'Metadata log entries (one per controller decision) between snapshots of the metadata image' },
  'broker.heartbeat.interval.ms': { type: 'int', default: '2000', min: 1, max: 600_000, doc: 'Time between a broker\'s heartbeats to the active controller' },
  'broker.session.timeout.ms': { type: 'int', default: '9000', min: 1, max: 3_600_000, doc: 'A broker not heard from for this long is fenced' },
  'controlled.shutdown.timeout.ms': { type: 'int', default: '10000', min: 0, max: 3_600_000, doc: 'Longest wait for the controller to move leaderships away on shutdown' },
  'replica.lag.time.max.ms': { type: 'long', default: '30000', min: 1, doc: 'A follower that has not caught up with its leader for this long leaves the ISR' },
  'replica.fetch.wait.max.ms': { type: 'int', default: '500', min: 0, max: INT_MAX, doc: 'Longest wait of a follower fetch at its leader (at most replica.lag.time.max.ms)' },
  'replica.fetch.min.bytes': { type: 'int', default: '1', min: 0, max: INT_MAX, doc: 'Bytes a follower fetch waits for before the leader answers' },
  'replica.fetch.max.bytes': { type: 'int', default: '1048576', min: 0, max: INT_MAX, doc: 'Record bytes per partition in a follower fetch (a larger first batch still comes whole)' },
  'replica.fetch.response.max.bytes': { type: 'int', default: '10485760', min: 0, max: INT_MAX, doc: 'Record bytes in a whole follower fetch answer (the first batch comes whole)' },
  'replica.fetch.backoff.ms': { type: 'int', default: '1000', min: 0, max: INT_MAX, doc: 'Pause of a follower fetch after an error' },
  'replica.socket.timeout.ms': { type: 'int', default: '30000', min: 1, max: INT_MAX, doc: 'A follower fetch unanswered for this long is given up and the stream opened again (at least replica.fetch.wait.max.ms)' },
  'auto.leader.rebalance.enable': { type: 'bool', default: 'true', doc: 'The active controller moves leaderships back to preferred replicas when a broker\'s imbalance is above leader.imbalance.per.broker.percentage' },
  'leader.imbalance.check.interval.seconds': { type: 'long', default: '300', min: 1, max: 2_147_483, doc: 'How often the active controller checks the leader imbalance' },
  'leader.imbalance.per.broker.percentage': { type: 'int', default: '10', min: 0, max: 100, doc: 'Share of a broker\'s preferred partitions it may not lead before a rebalance' },
  'replica.high.watermark.checkpoint.interval.ms': { type: 'long', default: '5000', min: 1, doc: 'How often high watermarks are written to replication-offset-checkpoint' },
  // Consumer groups (Kafka's group coordinator keys; DESIGN §8, broker/README.md "Consumer groups").
  'offsets.topic.num.partitions': { type: 'int', default: '50', min: 1, max: 100_000, doc: 'Partitions of __consumer_offsets when it is created (the coordinator of a group is the leader of one of them)' },
  'offsets.topic.replication.factor': { type: 'int', default: '3', min: 1, max: 32_767, doc: 'Replication factor of __consumer_offsets when it is created, capped by the live brokers then' },
  'offsets.topic.segment.bytes': { type: 'int', default: '104857600', min: 14, max: INT_MAX, doc: 'segment.bytes of __consumer_offsets' },
  'offsets.retention.minutes': { type: 'int', default: '10080', min: 1, max: INT_MAX, doc: 'The committed offsets of an empty group expire this long after it became empty or after their commit, whichever is later' },
  'offsets.retention.check.interval.ms': { type: 'long', default: '600000', min: 1, doc: 'How often expired offsets are looked for' },
  'offsets.commit.timeout.ms': { type: 'int', default: '5000', min: 1, max: INT_MAX, doc: 'How long a write to __consumer_offsets (a commit, a group change) waits for the in-sync replicas before the request fails' },
  'offset.metadata.max.bytes': { type: 'int', default: '4096', min: 0, max: INT_MAX, doc: 'Largest metadata string of a committed offset' },
  'group.consumer.session.timeout.ms': { type: 'int', default: '45000', min: 1, max: INT_MAX, doc: 'A member not heard from for this long leaves its group (when its join names no session timeout)' },
  'group.consumer.min.session.timeout.ms': { type: 'int', default: '45000', min: 1, max: INT_MAX, doc: 'Smallest session timeout a member may ask for' },
  'group.consumer.max.session.timeout.ms': { type: 'int', default: '60000', min: 1, max: INT_MAX, doc: 'Largest session timeout a member may ask for' },
  'group.consumer.heartbeat.interval.ms': { type: 'int', default: '5000', min: 1, max: INT_MAX, doc: 'How often members are told to heartbeat' },
  'group.consumer.max.size': { type: 'int', default: String(INT_MAX), min: 1, max: INT_MAX, doc: 'Most members a group may have' },
  'group.consumer.assignors': { type: 'list', default: 'uniform,range', doc: 'Server assignors members may name (uniform, range, or Kafka\'s class names of them); the first is the default' },
  'group.lag.refresh.interval.ms': { type: 'long', default: '10000', min: 1, doc: 'Strait\'s own: how often the coordinator refreshes the log end offsets behind strait_group_lag' },
  'log.segment.bytes': { type: 'int', min: 14, max: INT_MAX, topicDefault: true, doc: 'Segment size' },
  'log.roll.ms': { type: 'long', min: 1, topicDefault: true, doc: 'Segment age before a roll' },
  'log.roll.hours': { type: 'int', min: 1, topicDefault: true, doc: 'Segment age before a roll (hours)' },
  'log.retention.ms': { type: 'long', min: -1, topicDefault: true, doc: 'Retention time; -1 = forever' },
  'log.retention.minutes': { type: 'int', min: -1, topicDefault: true, doc: 'Retention time (minutes)' },
  'log.retention.hours': { type: 'int', min: -1, topicDefault: true, doc: 'Retention time (hours)' },
  'log.retention.bytes': { type: 'long', topicDefault: true, doc: 'Retention size per partition; -1 = unbounded' },
  'log.cleanup.policy': { type: 'list', topicDefault: true, doc: 'delete, compact or both' },
  'log.flush.interval.messages': { type: 'long', min: 1, topicDefault: true, doc: 'Messages between fsyncs' },
  'log.flush.interval.ms': { type: 'long', min: 0, topicDefault: true, doc: 'Time between fsyncs' },
  'log.index.interval.bytes': { type: 'int', min: 0, topicDefault: true, doc: 'Bytes between index entries' },
  'log.index.size.max.bytes': { type: 'int', min: 4, topicDefault: true, doc: 'Index file size' },
  'log.segment.delete.delay.ms': { type: 'long', min: 0, topicDefault: true, doc: 'Delay before a deleted segment is removed' },
  'log.message.timestamp.type': { type: 'string', oneOf: ['CreateTime', 'LogAppendTime'], topicDefault: true, doc: 'Timestamp type' },
  'log.cleaner.delete.retention.ms': { type: 'long', min: 0, topicDefault: true, doc: 'Tombstone retention' },
  'log.cleaner.min.compaction.lag.ms': { type: 'long', min: 0, topicDefault: true, doc: 'Minimum age before compaction' },
  'log.cleaner.min.cleanable.ratio': { type: 'double', min: 0, max: 1, topicDefault: true, doc: 'Dirty ratio that triggers compaction' },
  'min.insync.replicas': { type: 'int', min: 1, max: 32_767, topicDefault: true, doc: 'Minimum ISR size for acks=all' },
  'compression.type': { type: 'string', oneOf: ['producer', 'none', 'gzip', 'snappy', 'lz4', 'zstd'], topicDefault: true, doc: 'Compression of stored batches' },
  'unclean.leader.election.enable': { type: 'bool', topicDefault: true, doc: 'Allow an out-of-sync replica to lead' },
};
