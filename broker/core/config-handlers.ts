// DescribeConfigs and IncrementalAlterConfigs. A topic's config reports every key with its value and
// where it came from: the topic's override, the broker's file, or the built-in default. Broker
// configs are static (read from the file at start-up), except the replication throttles
// (config/dynamic-broker-configs.ts): those are altered through the controller, per broker id or for
// the cluster default (''), kept in the metadata image, and described with their dynamic source.
import { ErrorCode, StraitError, AlterConfigOp, ConfigResourceType, ConfigSource, type wire } from '../../client/index.js';
import {
  defaultTopicConfig, InvalidConfigError, isTopicConfigName, parseTopicConfigs, TOPIC_CONFIG_DEFS,
  topicConfigToStrings, validateTopicName,
} from '../log/index.js';
import { BROKER_KEYS } from '../config/config-keys.js';
import { DYNAMIC_BROKER_CONFIGS } from '../config/dynamic-broker-configs.js';
import type { AlterConfigOpType, AlterConfigsResult } from '../controller/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

type ConfigSourceValue = (typeof ConfigSource)[keyof typeof ConfigSource];

function wanted(keys: unknown): (name: string) => boolean {
  if (!Array.isArray(keys) || keys.length === 0) return () => true;
  const set = new Set(keys.filter((k): k is string => typeof k === 'string'));
  return (name) => set.has(name);
}

function describeTopic(ctx: BrokerContext, r: wire.ConfigResource__Output, withDocs: boolean): wire.DescribedConfig[] {
  const name = r.resourceName;
  validateTopicName(name);
  const record = ctx.topics.get(name);
  if (!record) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist`);
  const values = topicConfigToStrings(ctx.topics.configOf(name));
  const brokerValues = topicConfigToStrings(ctx.topics.defaults);
  const builtIn = topicConfigToStrings(defaultTopicConfig());
  const include = wanted(r.configurationKeys);
  const out: wire.DescribedConfig[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!include(key)) continue;
    const source: ConfigSourceValue = Object.hasOwn(record.configs, key) ? ConfigSource.DYNAMIC_TOPIC_CONFIG
      : brokerValues[key] !== builtIn[key] ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    const doc = isTopicConfigName(key) ? TOPIC_CONFIG_DEFS[key].doc : '';
    out.push({ name: key, value, readOnly: false, source, isSensitive: false, documentation: withDocs ? doc : '' });
  }
  return out;
}

function describeBroker(ctx: BrokerContext, r: wire.ConfigResource__Output, withDocs: boolean): wire.DescribedConfig[] {
  if (r.resourceName !== '' && r.resourceName !== String(ctx.nodeId)) {
    throw new StraitError(ErrorCode.RESOURCE_NOT_FOUND, `Broker ${r.resourceName} is not this node (${ctx.nodeId})`);
  }
  const include = wanted(r.configurationKeys);
  const out: wire.DescribedConfig[] = [];
  // The dynamic ones first: this broker's own override, else the cluster default's.
  const image = ctx.metadata.image;
  const own = r.resourceName === '' ? {} : image.brokerConfigOverrides(r.resourceName);
  const clusterDefault = image.brokerConfigOverrides('');
  for (const [key, def] of Object.entries(DYNAMIC_BROKER_CONFIGS)) {
    if (!include(key)) continue;
    const value = own[key] ?? clusterDefault[key];
    if (value === undefined) continue;
    out.push({
      name: key, value, readOnly: false, isSensitive: false,
      source: own[key] !== undefined ? ConfigSource.DYNAMIC_BROKER_CONFIG : ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      documentation: withDocs ? def.doc : '',
    });
  }
  for (const [key, def] of Object.entries(BROKER_KEYS).sort(([a], [b]) => a.localeCompare(b))) {
    if (!include(key)) continue;
    const explicit = ctx.config.explicit[key];
    const value = explicit ?? def.default;
    if (value === undefined) continue;
    out.push({
      name: key, value, readOnly: true, isSensitive: false,
      source: explicit !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
      documentation: withDocs ? def.doc : '',
    });
  }
  return out;
}

export function handleDescribeConfigs(ctx: BrokerContext, req: wire.DescribeConfigsRequest__Output): wire.DescribeConfigsResponse {
  if (!Array.isArray(req.resources)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'resources must be a list');
  const results: wire.DescribeConfigsResult[] = [];
  for (const r of req.resources) {
    const base = { resourceType: r?.resourceType, resourceName: typeof r?.resourceName === 'string' ? r.resourceName : '' };
    try {
      if (typeof r?.resourceName !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'resource_name must be a string');
      let configs: wire.DescribedConfig[];
      if (r.resourceType === ConfigResourceType.TOPIC) configs = describeTopic(ctx, r, req.includeDocumentation === true);
      else if (r.resourceType === ConfigResourceType.BROKER) configs = describeBroker(ctx, r, req.includeDocumentation === true);
      else throw new StraitError(ErrorCode.INVALID_REQUEST, `resource type ${String(r.resourceType)} is not supported`);
      results.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: '', configs });
    } catch (err) {
      if (isUnexpected(err)) ctx.logger.error({ err, resource: base.resourceName }, 'describe configs failed');
      results.push({ ...base, ...errorFields(err), configs: [] });
    }
  }
  return { results };
}

const listOf = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

/** The topic's overrides after the operations; throws InvalidConfigError / StraitError. */
function applyOperations(current: Readonly<Record<string, string>>, effective: Record<string, string>, ops: unknown): Record<string, string> {
  if (!Array.isArray(ops)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'configs must be a list');
  const next: Record<string, string> = { ...current };
  const seen = new Set<string>();
  for (const op of ops) {
    const { name, configOperation, value } = (op ?? {}) as { name?: unknown; configOperation?: unknown; value?: unknown };
    if (typeof name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'config name must be a string');
    if (seen.has(name)) throw new StraitError(ErrorCode.INVALID_REQUEST, `config ${name} is altered twice in one request`);
    seen.add(name);
    if (!isTopicConfigName(name)) throw new InvalidConfigError(name, `Unknown topic config name: ${name}`);
    const text = typeof value === 'string' ? value : '';
    switch (configOperation) {
      case AlterConfigOp.SET:
        next[name] = text;
        break;
      case AlterConfigOp.DELETE:
        delete next[name];
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        if (TOPIC_CONFIG_DEFS[name].type !== 'list') throw new InvalidConfigError(name, `${name} is not a list; APPEND and SUBTRACT do not apply`);
        const items = listOf(next[name] ?? effective[name]);
        const change = listOf(text);
        const result = configOperation === AlterConfigOp.APPEND
          ? [...items, ...change.filter((c) => !items.includes(c))]
          : items.filter((i) => !change.includes(i));
        next[name] = result.join(',');
        break;
      }
      default:
        throw new StraitError(ErrorCode.INVALID_REQUEST, `config operation ${String(configOperation)} is not known`);
    }
  }
  return next;
}

const OP_NAMES: Readonly<Record<number, AlterConfigOpType>> = {
  [AlterConfigOp.SET]: 'set', [AlterConfigOp.DELETE]: 'delete', [AlterConfigOp.APPEND]: 'append', [AlterConfigOp.SUBTRACT]: 'subtract',
};

/** A broker resource (an id, or '' for the cluster default): the controller applies the operations
 * and accepts only the dynamic keys with valid values. */
async function alterBroker(ctx: BrokerContext, r: wire.AlterConfigsResource__Output, validateOnly: boolean): Promise<void> {
  if (!Array.isArray(r.configs)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'configs must be a list');
  const ops = r.configs.map((c) => {
    const op = OP_NAMES[c?.configOperation as unknown as number];
    if (typeof c?.name !== 'string' || op === undefined) throw new StraitError(ErrorCode.INVALID_REQUEST, 'each config needs a name and a known operation');
    return { name: c.name, op, value: typeof c.value === 'string' ? c.value : '' };
  });
  const { response } = await ctx.controller.run('incrementalAlterConfigs', {
    resources: [{ resourceType: 'broker', resourceName: r.resourceName, ops }], validateOnly,
  }, ctx.config.quorumRequestTimeoutMs);
  const result = (response as AlterConfigsResult[])[0]!;
  if (result.errorCode !== ErrorCode.NONE) throw new StraitError(result.errorCode, result.errorMessage);
}

async function alterOne(ctx: BrokerContext, r: wire.AlterConfigsResource__Output, validateOnly: boolean): Promise<void> {
  if (typeof r?.resourceName !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'resource_name must be a string');
  if (r.resourceType === ConfigResourceType.BROKER) return alterBroker(ctx, r, validateOnly);
  if (r.resourceType !== ConfigResourceType.TOPIC) throw new StraitError(ErrorCode.INVALID_REQUEST, `resource type ${String(r.resourceType)} is not supported`);
  const name = r.resourceName;
  validateTopicName(name);
  const record = ctx.topics.get(name);
  if (!record) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist`);
  const next = applyOperations(record.configs, topicConfigToStrings(ctx.topics.configOf(name)), r.configs);
  parseTopicConfigs(next, ctx.topics.defaults);
  if (!validateOnly) await ctx.topics.setOverrides(name, next);
}

export async function handleIncrementalAlterConfigs(ctx: BrokerContext, req: wire.IncrementalAlterConfigsRequest__Output): Promise<wire.IncrementalAlterConfigsResponse> {
  if (!Array.isArray(req.resources)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'resources must be a list');
  const responses: wire.AlterConfigsResourceResult[] = [];
  for (const r of req.resources) {
    const base = { resourceType: r?.resourceType, resourceName: typeof r?.resourceName === 'string' ? r.resourceName : '' };
    try {
      await alterOne(ctx, r, req.validateOnly === true);
      responses.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: '' });
    } catch (err) {
      if (isUnexpected(err)) ctx.logger.error({ err, resource: base.resourceName }, 'alter configs failed');
      responses.push({ ...base, ...errorFields(err) });
    }
  }
  return { responses };
}
