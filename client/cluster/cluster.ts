// The layer producers, consumers and admins call down into: connections, the metadata cache and
// retries that refresh metadata when a broker says it is the wrong one to ask.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { MetadataRequest } from '../wire/generated/strait/v1/MetadataRequest.js';
import type { MetadataResponse__Output } from '../wire/generated/strait/v1/MetadataResponse.js';
import { formatAddress } from './bootstrap.js';
import type { ClientConfig } from './client-config.js';
import { ConnectionPool, unaryCall } from './connection-pool.js';
import { MetadataCache, type TopicInfo } from './metadata-cache.js';
import { withRetry, type RetryHooks } from './retry.js';

/** Errors after which the cached leaders may be wrong. */
const METADATA_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

export function invalidatesMetadata(code: number): boolean {
  return METADATA_ERRORS.has(code);
}

export class Cluster {
  readonly config: ClientConfig;
  readonly pool: ConnectionPool;
  readonly metadata = new MetadataCache();
  /** Topics this client uses; every refresh asks for all of them. */
  private readonly wanted = new Set<string>();
  private refreshing: Promise<void> | undefined;
  private refreshingTopics = new Set<string>();
  private nextBootstrap = 0;

  constructor(config: ClientConfig, pool?: ConnectionPool) {
    this.config = config;
    // grpc-js would otherwise back off reconnects up to two minutes; Kafka clients cap it at 1 s.
    this.pool = pool ?? new ConnectionPool({
      'grpc.initial_reconnect_backoff_ms': config.reconnectBackoffMs,
      'grpc.max_reconnect_backoff_ms': config.reconnectBackoffMaxMs,
    });
  }

  /** Known brokers first (rotated), then the bootstrap list: where a metadata request may go. */
  private metadataAddresses(): string[] {
    const known = this.metadata.brokers().map((b) => b.address);
    const boot = this.config.bootstrap.map(formatAddress);
    const all = [...new Set([...known, ...boot])];
    const start = this.nextBootstrap++ % all.length;
    return [...all.slice(start), ...all.slice(0, start)];
  }

  /** Some broker to send a cluster-wide request to. */
  anyAddress(): string {
    return this.metadataAddresses()[0]!;
  }

  /** One Metadata round trip, trying each address until one answers. */
  async requestMetadata(request: MetadataRequest): Promise<MetadataResponse__Output> {
    let last: unknown;
    for (const address of this.metadataAddresses()) {
      const client = this.pool.broker(address);
      try {
        const res = await unaryCall<MetadataResponse__Output>((o, cb) => client.Metadata(request, o, cb), this.config.requestTimeoutMs, address);
        this.metadata.update(res, Date.now());
        return res;
      } catch (err) {
        last = err;
      }
    }
    throw last ?? new StraitError(ErrorCode.BROKER_NOT_AVAILABLE, 'no broker address to ask');
  }

  /** Refreshes the wanted topics plus `topics`; concurrent calls share one request when they can. */
  refreshMetadata(topics: readonly string[] = []): Promise<void> {
    for (const t of topics) this.wanted.add(t);
    const inFlight = this.refreshing;
    if (inFlight && topics.every((t) => this.refreshingTopics.has(t))) return inFlight;
    const run = (async () => {
      if (inFlight) await inFlight.catch(() => undefined);
      const names = [...this.wanted];
      this.refreshingTopics = new Set(names);
      await this.requestMetadata({
        topics: names,
        allTopics: false,
        allowAutoTopicCreation: this.config.allowAutoTopicCreation,
      });
    })();
    const tracked = run.finally(() => {
      if (this.refreshing === tracked) {
        this.refreshing = undefined;
        this.refreshingTopics = new Set();
      }
    });
    this.refreshing = tracked;
    return tracked;
  }

  /** Starts a refresh when metadata.max.age.ms has passed; never waits and never throws. */
  refreshIfStale(): void {
    if (!this.refreshing && this.metadata.isStale(Date.now(), this.config.metadataMaxAgeMs) && this.wanted.size > 0) {
      this.refreshMetadata().catch(() => undefined);
    }
  }

  /** A topic's metadata, fetched (with retries) if missing; the broker's topic error if it has one. */
  async topic(name: string, hooks: RetryHooks = {}): Promise<TopicInfo> {
    const cached = this.metadata.topic(name);
    if (cached && this.wanted.has(name)) {
      this.refreshIfStale();
      return cached;
    }
    return withRetry(async () => {
      await this.refreshMetadata([name]);
      const info = this.metadata.topic(name);
      if (info && info.partitions.length > 0) return info;
      const code = this.metadata.topicError(name) ?? ErrorCode.LEADER_NOT_AVAILABLE;
      throw errorFromCode(code, `topic '${name}': ${errorFromCode(code)!.message}`)!;
    }, this.config.retry, hooks);
  }

  /** The address of a partition's leader, refreshing metadata (with retries) while it is unknown. */
  async leaderAddress(topic: string, partition: number, hooks: RetryHooks = {}): Promise<string> {
    const info = await this.topic(topic, hooks);
    if (partition < 0 || partition >= info.partitions.length) {
      throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic} has ${info.partitions.length} partitions, not ${partition + 1}`);
    }
    const known = this.metadata.leaderAddress(topic, partition);
    if (known) return known;
    return withRetry(async () => {
      await this.refreshMetadata([topic]);
      const address = this.metadata.leaderAddress(topic, partition);
      if (address) return address;
      throw new StraitError(ErrorCode.LEADER_NOT_AVAILABLE, `no leader for ${topic}-${partition}`);
    }, this.config.retry, hooks);
  }

  /**
   * Runs fn with the retry policy; after an error that says our metadata is wrong, marks it stale and
   * refreshes the given topics before the next attempt.
   */
  retry<T>(fn: (bail: (err: unknown) => never, attempt: number) => Promise<T>, topics: readonly string[] = [], hooks: RetryHooks = {}): Promise<T> {
    return withRetry(fn, this.config.retry, {
      ...hooks,
      onRetry: async (err, attempt) => {
        if (err instanceof StraitError && invalidatesMetadata(err.code)) {
          this.metadata.markStale();
          await this.refreshMetadata(topics).catch(() => undefined);
        }
        if (hooks.onRetry) await hooks.onRetry(err, attempt);
      },
    });
  }

  close(): void {
    this.pool.close();
  }
}
