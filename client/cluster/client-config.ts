// Settings every client (producer, consumer, admin) shares, with Kafka's names and defaults.
import { parseBootstrapServers, type BrokerAddress } from './bootstrap.js';
import { ConfigReader, InvalidConfigError } from './config-values.js';
import type { RetryPolicy } from './retry.js';

export interface ClientConfig {
  bootstrap: BrokerAddress[];
  clientId: string;
  requestTimeoutMs: number;
  metadataMaxAgeMs: number;
  retry: RetryPolicy;
  allowAutoTopicCreation: boolean;
  /** reconnect.backoff.ms / reconnect.backoff.max.ms: how soon a lost broker connection is retried. */
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
}

export const MAX_INT32 = 2147483647;

export function readClientConfig(reader: ConfigReader, defaults: { retries: number; clientIdPrefix: string }): ClientConfig {
  const servers = reader.stringList('bootstrap.servers');
  if (!servers) throw new InvalidConfigError('bootstrap.servers', 'is required');
  const backoffMs = reader.int('retry.backoff.ms', 100, { min: 0 });
  const backoffMaxMs = reader.int('retry.backoff.max.ms', 1000, { min: 0 });
  const reconnectBackoffMs = reader.int('reconnect.backoff.ms', 50, { min: 1 });
  const reconnectBackoffMaxMs = reader.int('reconnect.backoff.max.ms', 1000, { min: 1 });
  return {
    bootstrap: parseBootstrapServers(servers),
    clientId: reader.string('client.id', `${defaults.clientIdPrefix}-${process.pid}`),
    requestTimeoutMs: reader.int('request.timeout.ms', 30_000, { min: 1 }),
    metadataMaxAgeMs: reader.int('metadata.max.age.ms', 300_000, { min: 0 }),
    retry: {
      retries: reader.int('retries', defaults.retries, { min: 0, max: MAX_INT32 }),
      backoffMs,
      backoffMaxMs: Math.max(backoffMs, backoffMaxMs),
      jitter: 0.2,
    },
    allowAutoTopicCreation: reader.bool('allow.auto.create.topics', true),
    reconnectBackoffMs,
    reconnectBackoffMaxMs: Math.max(reconnectBackoffMs, reconnectBackoffMaxMs),
  };
}
