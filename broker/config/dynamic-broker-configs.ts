// The broker configs that change at runtime (Kafka's DynamicConfig.Broker, the replication
// throttles): set with IncrementalAlterConfigs on a broker resource (a broker id, or '' for the
// cluster-wide default), kept in the metadata image as Config records, read by every node from there.
// Every other broker key is static: it comes from the config file and changes with a restart.
import { ErrorCode, StraitError } from '../../client/index.js';

/** Kafka's Long.MAX_VALUE: no throttle. */
export const UNTHROTTLED_RATE = Number.MAX_SAFE_INTEGER;

export interface DynamicBrokerConfigDef {
  readonly default: number;
  readonly doc: string;
}

export const DYNAMIC_BROKER_CONFIGS = {
  'leader.replication.throttled.rate': {
    default: UNTHROTTLED_RATE,
    doc: 'Bytes per second this broker sends, as leader, to followers of the replicas listed in a topic\'s leader.replication.throttled.replicas that are not in the ISR',
  },
  'follower.replication.throttled.rate': {
    default: UNTHROTTLED_RATE,
    doc: 'Bytes per second this broker fetches, as follower, for the replicas listed in a topic\'s follower.replication.throttled.replicas while it is behind',
  },
} as const satisfies Record<string, DynamicBrokerConfigDef>;

export type DynamicBrokerConfigName = keyof typeof DYNAMIC_BROKER_CONFIGS;

export function isDynamicBrokerConfig(name: string): name is DynamicBrokerConfigName {
  return Object.hasOwn(DYNAMIC_BROKER_CONFIGS, name);
}

/** A throttle rate: a long >= 0 (bytes/s); values past 2^53 mean "no throttle", as Long.MAX_VALUE does. */
export function parseThrottleRate(name: string, raw: string): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text) || BigInt(text) > 9223372036854775807n) {
    throw new StraitError(ErrorCode.INVALID_CONFIG, `Invalid value ${raw} for configuration ${name}: a number of bytes per second from 0 to 9223372036854775807 is required`);
  }
  const value = BigInt(text);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? UNTHROTTLED_RATE : Number(value);
}

/**
 * Checks a broker resource's overrides as a whole after an IncrementalAlterConfigs: only the dynamic
 * keys may be there (INVALID_REQUEST naming a static key, INVALID_CONFIG for a name that is no broker
 * config), each with a valid value (INVALID_CONFIG).
 */
export function validateDynamicBrokerConfigs(overrides: Readonly<Record<string, string>>, isStaticKey: (name: string) => boolean): void {
  for (const [name, value] of Object.entries(overrides)) {
    if (isDynamicBrokerConfig(name)) {
      parseThrottleRate(name, value);
    } else if (isStaticKey(name)) {
      throw new StraitError(ErrorCode.INVALID_REQUEST,
        `Cannot update ${name} dynamically: it is read from the config file at start-up. The broker configs that change at runtime are ${Object.keys(DYNAMIC_BROKER_CONFIGS).join(', ')}.`);
    } else {
      throw new StraitError(ErrorCode.INVALID_CONFIG, `Unknown broker config name: ${name}`);
    }
  }
}
