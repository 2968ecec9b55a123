// IncrementalAlterConfigs on the active controller: per resource, the ops are applied to the current
// overrides, the result is validated as a whole, and one Config record is written per key that
// changes. Kafka's rules: duplicate resources or keys are INVALID_REQUEST; APPEND and SUBTRACT work
// on list-typed configs only.
import { ErrorCode, StraitError } from '../../client/index.js';
import { defaultTopicConfig, isTopicConfigName, parseTopicConfigs, TOPIC_CONFIG_DEFS } from '../log/index.js';
import type { ControllerResult } from './controller-result.js';
import {
  type MetadataImage, isStorableConfigName, metadataRecord, type ConfigResourceKind, type MetadataRecord,
} from '../metadata/index.js';

export type AlterConfigOpType = 'set' | 'delete' | 'append' | 'subtract';

export interface AlterConfigOp {
  readonly name: string;
  readonly op: AlterConfigOpType;
  /** Ignored for delete. */
  readonly value?: string | null;
}

export interface AlterConfigsResource {
  readonly resourceType: ConfigResourceKind;
  /** A topic name; for a broker its id, or '' for the cluster-wide default. */
  readonly resourceName: string;
  readonly ops: readonly AlterConfigOp[];
}

export interface AlterConfigsResult {
  readonly resourceType: ConfigResourceKind;
  readonly resourceName: string;
  readonly errorCode: number;
  readonly errorMessage: string;
}

export interface AlterConfigsOptions {
  /** Throws (InvalidConfigError) when a topic's overrides are bad; default: parseTopicConfigs over Kafka's defaults. */
  readonly validateTopicConfigs?: (overrides: Record<string, string>) => void;
  /** Throws (InvalidConfigError) when a broker's (or the cluster default's) overrides are bad. */
  readonly validateBrokerConfigs: (resourceName: string, overrides: Record<string, string>) => void;
  readonly validateOnly?: boolean;
}

const BROKER_RESOURCE_NAME = /^(|0|[1-9]\d{0,9})$/;

function fail(code: number, message: string): never {
  throw new StraitError(code, message);
}

function listItems(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function applyOps(resource: AlterConfigsResource, current: Readonly<Record<string, string>>): Record<string, string> {
  const next: Record<string, string> = { ...current };
  const seen = new Set<string>();
  for (const { name, op, value } of resource.ops) {
    if (typeof name !== 'string' || !isStorableConfigName(name)) fail(ErrorCode.INVALID_CONFIG, `Invalid config name ${JSON.stringify(name)}.`);
    if (seen.has(name)) fail(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${name}`);
    seen.add(name);
    if (op === 'delete') {
      delete next[name];
      continue;
    }
    if (typeof value !== 'string') fail(ErrorCode.INVALID_CONFIG, `Config ${name}: a ${op} needs a value.`);
    if (op === 'set') {
      next[name] = value;
    } else if (op === 'append' || op === 'subtract') {
      const isList = resource.resourceType === 'topic' && isTopicConfigName(name) && TOPIC_CONFIG_DEFS[name].type === 'list';
      if (!isList) fail(ErrorCode.INVALID_CONFIG, `Config value ${op} is not allowed for config key: ${name}`);
      const items = listItems(next[name] ?? TOPIC_CONFIG_DEFS[name as keyof typeof TOPIC_CONFIG_DEFS].default.toString());
      const given = listItems(value);
      const result = op === 'append' ? [...items, ...given.filter((v) => !items.includes(v))] : items.filter((v) => !given.includes(v));
      next[name] = result.join(',');
    } else {
      fail(ErrorCode.INVALID_REQUEST, `Unknown config operation ${JSON.stringify(op)} for ${name}.`);
    }
  }
  return next;
}

export function incrementalAlterConfigs(
  image: MetadataImage, resources: readonly AlterConfigsResource[], options: AlterConfigsOptions,
): ControllerResult<AlterConfigsResult[]> {
  const records: MetadataRecord[] = [];
  const key = (r: AlterConfigsResource): string => `${r.resourceType}:${r.resourceName}`;
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  const validateTopic = options.validateTopicConfigs ?? ((o: Record<string, string>) => { parseTopicConfigs(o, defaultTopicConfig()); });

  const response = resources.map((resource): AlterConfigsResult => {
    const { resourceType, resourceName } = resource;
    try {
      if ((counts.get(key(resource)) ?? 0) > 1) fail(ErrorCode.INVALID_REQUEST, `Duplicate resource ${resourceType} ${resourceName} in the request.`);
      let current: Readonly<Record<string, string>>;
      if (resourceType === 'topic') {
        if (!image.topic(resourceName)) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resourceName}' does not exist.`);
        current = image.topicConfigOverrides(resourceName);
      } else if (resourceType === 'broker') {
        if (typeof resourceName !== 'string' || !BROKER_RESOURCE_NAME.test(resourceName)) {
          fail(ErrorCode.INVALID_REQUEST, `Invalid broker resource name ${JSON.stringify(resourceName)}: a broker id or empty.`);
        }
        current = image.brokerConfigOverrides(resourceName);
      } else {
        return fail(ErrorCode.INVALID_REQUEST, `Unknown resource type ${JSON.stringify(resourceType)}.`);
      }
      if (!Array.isArray(resource.ops)) fail(ErrorCode.INVALID_REQUEST, 'The config operations are not a list.');
      const next = applyOps(resource, current);
      if (resourceType === 'topic') validateTopic(next);
      else options.validateBrokerConfigs(resourceName, next);
      if (!options.validateOnly) {
        const names = [...new Set([...Object.keys(current), ...Object.keys(next)])].sort();
        for (const name of names) {
          if (current[name] === next[name]) continue;
          records.push(metadataRecord('Config', { resourceType, resourceName, name, value: next[name] ?? null }));
        }
      }
      return { resourceType, resourceName, errorCode: ErrorCode.NONE, errorMessage: '' };
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      return { resourceType, resourceName, errorCode: err.code, errorMessage: err.message };
    }
  });
  return { records, response };
}
