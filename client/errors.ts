// One table of Kafka's error codes with a retriable flag, shared by broker and client, and the one
// place where a response code becomes a typed error.
import { ErrorCode } from './wire/generated/strait/v1/ErrorCode.js';

export { ErrorCode };
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

interface ErrorInfo {
  readonly retriable: boolean;
  readonly message: string;
}

const INFO: Partial<Record<ErrorCodeValue, ErrorInfo>> = {
  [ErrorCode.UNKNOWN_SERVER_ERROR]: { retriable: false, message: 'The server experienced an unexpected error' },
  [ErrorCode.OFFSET_OUT_OF_RANGE]: { retriable: false, message: 'The requested offset is not within the range of offsets maintained by the server' },
  [ErrorCode.CORRUPT_MESSAGE]: { retriable: true, message: 'The record batch failed its CRC check, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt' },
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: { retriable: true, message: 'This server does not host this topic-partition' },
  [ErrorCode.INVALID_FETCH_SIZE]: { retriable: false, message: 'The requested fetch size is invalid' },
  [ErrorCode.LEADER_NOT_AVAILABLE]: { retriable: true, message: 'There is no leader for this topic-partition as we are in the middle of a leadership election' },
  [ErrorCode.NOT_LEADER_OR_FOLLOWER]: { retriable: true, message: 'This server is not the leader or a follower of that topic-partition' },
  [ErrorCode.REQUEST_TIMED_OUT]: { retriable: true, message: 'The request timed out' },
  [ErrorCode.BROKER_NOT_AVAILABLE]: { retriable: true, message: 'The broker is not available' },
  [ErrorCode.REPLICA_NOT_AVAILABLE]: { retriable: true, message: 'The replica is not available for the requested topic-partition' },
  [ErrorCode.MESSAGE_TOO_LARGE]: { retriable: false, message: 'The request included a record batch larger than the max message size the server will accept' },
  [ErrorCode.OFFSET_METADATA_TOO_LARGE]: { retriable: false, message: 'The metadata field of the offset request was too large' },
  [ErrorCode.NETWORK_EXCEPTION]: { retriable: true, message: 'The server disconnected before a response was received' },
  [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]: { retriable: true, message: 'The coordinator is loading and hence cannot process requests' },
  [ErrorCode.COORDINATOR_NOT_AVAILABLE]: { retriable: true, message: 'The coordinator is not available' },
  [ErrorCode.NOT_COORDINATOR]: { retriable: true, message: 'This is not the correct coordinator' },
  [ErrorCode.INVALID_TOPIC_EXCEPTION]: { retriable: false, message: 'The request attempted to perform an operation on an invalid topic' },
  [ErrorCode.RECORD_LIST_TOO_LARGE]: { retriable: false, message: 'The request included record batches larger than the max request size the server will accept' },
  [ErrorCode.NOT_ENOUGH_REPLICAS]: { retriable: true, message: 'Messages are rejected since there are fewer in-sync replicas than required' },
  [ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND]: { retriable: true, message: 'Messages are written to the log, but to fewer in-sync replicas than required' },
  [ErrorCode.INVALID_REQUIRED_ACKS]: { retriable: false, message: 'Produce request specified an invalid value for required acks' },
  [ErrorCode.ILLEGAL_GENERATION]: { retriable: false, message: 'Specified group generation id is not valid' },
  [ErrorCode.INVALID_GROUP_ID]: { retriable: false, message: 'The configured groupId is invalid' },
  [ErrorCode.UNKNOWN_MEMBER_ID]: { retriable: false, message: 'The coordinator is not aware of this member' },
  [ErrorCode.INVALID_SESSION_TIMEOUT]: { retriable: false, message: 'The session timeout is not within the range allowed by the broker' },
  [ErrorCode.REBALANCE_IN_PROGRESS]: { retriable: false, message: 'The group is rebalancing, so a rejoin is needed' },
  [ErrorCode.INVALID_TIMESTAMP]: { retriable: false, message: 'The timestamp of the record is out of acceptable range' },
  [ErrorCode.UNSUPPORTED_VERSION]: { retriable: false, message: 'The version of the API or record format is not supported' },
  [ErrorCode.TOPIC_ALREADY_EXISTS]: { retriable: false, message: 'Topic with this name already exists' },
  [ErrorCode.INVALID_PARTITIONS]: { retriable: false, message: 'Number of partitions is below 1 or not larger than the current count' },
  [ErrorCode.INVALID_REPLICATION_FACTOR]: { retriable: false, message: 'Replication factor is below 1 or larger than the number of available brokers' },
  [ErrorCode.INVALID_REPLICA_ASSIGNMENT]: { retriable: false, message: 'Replica assignment is invalid' },
  [ErrorCode.INVALID_CONFIG]: { retriable: false, message: 'Configuration is invalid' },
  [ErrorCode.NOT_CONTROLLER]: { retriable: true, message: 'This is not the correct controller for this cluster' },
  [ErrorCode.INVALID_REQUEST]: { retriable: false, message: 'The request is malformed or its field values are invalid' },
  [ErrorCode.POLICY_VIOLATION]: { retriable: false, message: 'The request parameters do not satisfy the configured policy' },
  [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER]: { retriable: false, message: 'The broker received an out of order sequence number' },
  [ErrorCode.DUPLICATE_SEQUENCE_NUMBER]: { retriable: false, message: 'The broker received a duplicate sequence number' },
  [ErrorCode.INVALID_PRODUCER_EPOCH]: { retriable: false, message: 'Producer attempted to produce with an old epoch' },
  [ErrorCode.KAFKA_STORAGE_ERROR]: { retriable: true, message: 'Disk error when trying to access the log file on disk' },
  [ErrorCode.UNKNOWN_PRODUCER_ID]: { retriable: false, message: 'The broker could not locate the producer metadata associated with the producer id' },
  [ErrorCode.NON_EMPTY_GROUP]: { retriable: false, message: 'The group is not empty' },
  [ErrorCode.GROUP_ID_NOT_FOUND]: { retriable: false, message: 'The group id does not exist' },
  [ErrorCode.FENCED_LEADER_EPOCH]: { retriable: true, message: 'The leader epoch in the request is older than the epoch on the broker' },
  [ErrorCode.UNKNOWN_LEADER_EPOCH]: { retriable: true, message: 'The leader epoch in the request is newer than the epoch on the broker' },
  [ErrorCode.UNSUPPORTED_COMPRESSION_TYPE]: { retriable: false, message: 'The requesting client does not support the compression type of the given partition' },
  [ErrorCode.STALE_BROKER_EPOCH]: { retriable: false, message: 'Broker epoch has changed' },
  [ErrorCode.OFFSET_NOT_AVAILABLE]: { retriable: true, message: 'The leader high watermark has not caught up from a recent leader election' },
  [ErrorCode.GROUP_MAX_SIZE_REACHED]: { retriable: false, message: 'The consumer group has reached its max size' },
  [ErrorCode.FENCED_INSTANCE_ID]: { retriable: false, message: 'The consumer has been fenced by another consumer with the same group.instance.id' },
  [ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE]: { retriable: true, message: 'Eligible topic partition leaders are not available' },
  [ErrorCode.ELECTION_NOT_NEEDED]: { retriable: true, message: 'Leader election not needed for topic partition' },
  [ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]: { retriable: false, message: 'No partition reassignment is in progress' },
  [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]: { retriable: false, message: 'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it' },
  [ErrorCode.INVALID_RECORD]: { retriable: false, message: 'This record has failed the validation on broker and hence will be rejected' },
  [ErrorCode.PRODUCER_FENCED]: { retriable: false, message: 'There is a newer producer with the same transactionalId which fences the current one' },
  [ErrorCode.RESOURCE_NOT_FOUND]: { retriable: false, message: 'A request illegally referred to a resource that does not exist' },
  [ErrorCode.INCONSISTENT_CLUSTER_ID]: { retriable: false, message: 'The clusterId in the request does not match that found on the server' },
  [ErrorCode.FENCED_MEMBER_EPOCH]: { retriable: false, message: 'The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin' },
  [ErrorCode.UNRELEASED_INSTANCE_ID]: { retriable: false, message: 'The instance ID is still used by another member in the consumer group. That member must leave first' },
  [ErrorCode.UNSUPPORTED_ASSIGNOR]: { retriable: false, message: 'The assignor or its version range is not supported by the consumer group' },
  [ErrorCode.STALE_MEMBER_EPOCH]: { retriable: false, message: 'The member epoch is stale. The member must retry after receiving its updated member epoch via the heartbeat' },
};

const NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code as number, name]));

export function errorName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN_ERROR_CODE_${code}`;
}

export function isRetriable(code: number): boolean {
  return INFO[code as ErrorCodeValue]?.retriable ?? false;
}

export function defaultMessage(code: number): string {
  return INFO[code as ErrorCodeValue]?.message ?? errorName(code);
}

export interface StraitErrorOptions {
  cause?: unknown;
  /** The producer's verdict on records it fails: true when they may be in the log all the same
   * (sent, and no answer settled it: Kafka's TimeoutException), false when they are certainly not. */
  maybeWritten?: boolean;
}

/** The one error class for protocol errors: Kafka's name, its code, whether a retry can help. */
export class StraitError extends Error {
  readonly code: number;
  readonly retriable: boolean;
  /** Set on producer failures whose records may have been written anyway (see StraitErrorOptions). */
  readonly maybeWritten: boolean;

  constructor(code: number, message?: string, options?: StraitErrorOptions) {
    super(message && message.length > 0 ? message : defaultMessage(code), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = isRetriable(code);
    this.name = errorName(code);
    this.maybeWritten = options?.maybeWritten ?? false;
  }
}

/** Turns a response's error code into a typed error; NONE yields undefined. */
export function errorFromCode(code: number, message?: string): StraitError | undefined {
  if (code === ErrorCode.NONE) return undefined;
  return new StraitError(code, message);
}
