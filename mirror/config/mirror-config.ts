// Reads an mm2.properties or mirror.yaml into the model every other part of the mirror works from
// (mirror.md, "The config model"). MM2's vocabulary and layering: a flow setting is taken from
// `<src>-><tgt>.x`, else `<tgt>.x` (the cluster the flow writes into: MM2 reads `<alias>.` settings
// into the worker writing to that cluster), else top-level `x`, else MM2's default; a client option
// from `<src>-><tgt>.consumer.x`, else `<alias>.consumer.x` of the cluster the client talks to, else
// top-level `consumer.x`. A flow runs only when `<src>-><tgt>.enabled = true`. Anything wrong stops
// start-up with a MirrorConfigError naming the file, the line and the key; unknown keys, and keys MM2
// has that Strait does not implement, are warnings with their lines.
import { parseBootstrapServers, InvalidConfigError, readConfigEntries, type PropertyEntry } from '../../client/index.js';
import { checkClientOptions, layeredClientOptions, withMirrorConsumerDefaults, type ClientOptions } from './client-settings.js';
import { emptyLayer, readLayers, type ConfigLayers, type Layer } from './config-layers.js';
import { Diagnostics, type MirrorConfigWarning } from './diagnostics.js';
import { flowName } from './key-address.js';
import { FLOW_KEYS, type ClientKind, type FlowKey, type FlowValue } from './mirror-keys.js';
import { aliasTraceProblem, cyclesThrough } from './topology-checks.js';
import { parseBoolean, parseList, type ReplicationPolicyName } from './value-parsers.js';

export type { MirrorConfigWarning } from './diagnostics.js';
export type { ReplicationPolicyName } from './value-parsers.js';

export interface MirrorConfig {
  file: string;
  /** `clusters = A, B`, in the file's order. */
  clusters: string[];
  clusterSettings: Record<string, ClusterSettings>;
  /** Every enabled `A->B`, in the order of the lines that enable them. */
  flows: FlowConfig[];
  unknownKeys: { key: string; line: number }[];
  /** Every warning, in line order: the unknown keys, keys MM2 has that Strait does not implement,
   * settings that take no effect, an identity policy on a cycle of flows. */
  warnings: MirrorConfigWarning[];
  /**
   * The pairs that are not enabled but emit heartbeats, as MM2 runs a heartbeat connector for every
   * pair of clusters unless `emit.heartbeats.enabled = false` (MirrorMakerConfig.clusterPairs): with
   * A->B alone, B->A still writes heartbeats into A, so that A's heartbeats topic exists and B sees
   * `A.heartbeats`. Fully resolved like `flows`; only their heartbeat settings are meant to be used.
   */
  heartbeatOnlyFlows: FlowConfig[];
}

export interface ClusterSettings {
  alias: string;
  /** `host:port,host:port` as set, blanks around the commas removed. */
  bootstrapServers: string;
  /** Top-level `consumer.*` < `<alias>.consumer.*`; likewise producer and admin. */
  consumer: Record<string, string>;
  producer: Record<string, string>;
  admin: Record<string, string>;
}

export interface FlowConfig {
  source: string;
  target: string;
  /** The line of `<src>-><tgt>.enabled` (0 for a heartbeat-only pair the file does not name). */
  line: number;
  topics: RegExp[];
  topicsExclude: RegExp[];
  groups: RegExp[];
  groupsExclude: RegExp[];
  replicationPolicy: ReplicationPolicyName;
  separator: string;
  /** replication.policy.internal.topic.separator.enabled: the separator also names the offset-syncs
   * and checkpoints topics (false: "."). */
  internalTopicSeparatorEnabled: boolean;
  /** -1: the target broker's default. */
  replicationFactor: number;
  syncTopicConfigs: boolean;
  syncTopicConfigsIntervalMs: number;
  configPropertiesExclude: RegExp[];
  useDefaultsFrom: 'target' | 'source';
  /** false: topics and partitions are looked for once, at start (MM2's refresh.topics.enabled). */
  refreshTopicsEnabled: boolean;
  refreshTopicsIntervalMs: number;
  refreshGroupsEnabled: boolean;
  refreshGroupsIntervalMs: number;
  emitHeartbeats: boolean;
  heartbeatsIntervalMs: number;
  emitCheckpoints: boolean;
  checkpointsIntervalMs: number;
  syncGroupOffsets: boolean;
  syncGroupOffsetsIntervalMs: number;
  /** emit.offset-syncs.enabled (KIP-1031, newer than MM2 3.7); checkpoints and group offset sync need it. */
  emitOffsetSyncs: boolean;
  offsetLagMax: number;
  offsetSyncsTopicLocation: 'source' | 'target';
  heartbeatsTopicReplicationFactor: number;
  checkpointsTopicReplicationFactor: number;
  offsetSyncsTopicReplicationFactor: number;
  /** offset.storage.replication.factor: of `mm2-offsets.<source>.internal`, the source positions on the target. */
  positionsTopicReplicationFactor: number;
  /** offset.flush.interval.ms: how often forwarded positions are recorded (1000; Connect's 60000 is too coarse). */
  offsetFlushIntervalMs: number;
  adminTimeoutMs: number;
  /** Source consumer: top `consumer.*` < `<src>.consumer.*` < `<src>-><tgt>.consumer.*` <
   * `<src>-><tgt>.source.consumer.*`, with MM2's `auto.offset.reset = earliest` unless set. */
  sourceConsumer: Record<string, string>;
  /** Producer on the source (offset syncs there): producer.* layered over `<src>.` and the flow. */
  sourceProducer: Record<string, string>;
  sourceAdmin: Record<string, string>;
  /** Consumer on the target (checkpoints, the workers' group): consumer.* over `<tgt>.` and the flow,
   * with `auto.offset.reset = earliest` unless set. */
  targetConsumer: Record<string, string>;
  targetProducer: Record<string, string>;
  targetAdmin: Record<string, string>;
  tasksMax: number;
}

export function loadMirrorConfigFile(file: string): MirrorConfig {
  return parseMirrorConfig(readConfigEntries(file), file);
}

/** Builds the model from a file's entries (`readConfigEntries`); `file` names it in errors. */
export function parseMirrorConfig(entries: readonly PropertyEntry[], file: string): MirrorConfig {
  const d = new Diagnostics(file);
  const layers = readLayers(entries, d);
  const clusterSettings = buildClusterSettings(layers, d);
  const flows: FlowConfig[] = [];
  const heartbeatOnlyFlows: FlowConfig[] = [];
  for (const source of layers.aliases) {
    for (const target of layers.aliases) {
      if (source === target) continue;
      const flowLayer = layers.flows.get(flowName(source, target));
      const enabled = flowLayer?.enabled !== undefined && parseBoolean(flowLayer.enabled.value);
      const flow = buildFlow(layers, source, target, enabled, clusterSettings, d);
      if (enabled) flows.push(flow);
      else if (flow.emitHeartbeats) heartbeatOnlyFlows.push(flow);
      if (!enabled && flowLayer) warnNotEnabled(flowLayer, source, target, d);
    }
  }
  flows.sort((a, b) => a.line - b.line);
  warnIdentityCycles(flows, layers, d);
  return {
    file,
    clusters: layers.aliases,
    clusterSettings,
    flows,
    unknownKeys: d.unknownKeys.sort((a, b) => a.line - b.line),
    warnings: d.warnings(),
    heartbeatOnlyFlows,
  };
}

function buildClusterSettings(layers: ConfigLayers, d: Diagnostics): Record<string, ClusterSettings> {
  const settings: Record<string, ClusterSettings> = {};
  for (const alias of layers.aliases) {
    const layer = layers.clusters.get(alias)!;
    // A top-level bootstrap.servers is every cluster's default, as MM2's clusterProps has it.
    const bootstrap = layer.bootstrap ?? layers.top.bootstrap;
    if (!bootstrap) {
      throw d.error({ key: `${alias}.bootstrap.servers`, line: layers.clustersEntry.line }, `cluster ${alias} (declared in clusters) has no bootstrap servers`);
    }
    try {
      parseBootstrapServers(bootstrap.value);
    } catch (err) {
      if (err instanceof InvalidConfigError) throw d.error(bootstrap, err.message.replace(/^bootstrap\.servers: /, ''));
      throw err;
    }
    const bootstrapServers = parseList(bootstrap.value).join(',');
    const own = (kind: ClientKind): Record<string, string> => layeredClientOptions(kind, [layers.top, layer]).options;
    settings[alias] = { alias, bootstrapServers, consumer: own('consumer'), producer: own('producer'), admin: own('admin') };
  }
  return settings;
}

function buildFlow(
  layers: ConfigLayers, source: string, target: string, enabled: boolean, clusters: Record<string, ClusterSettings>, d: Diagnostics,
): FlowConfig {
  const flowLayer = layers.flows.get(flowName(source, target)) ?? emptyLayer();
  const targetLayer = layers.clusters.get(target)!;
  const winning = (key: FlowKey): PropertyEntry | undefined =>
    flowLayer.settings.get(key) ?? targetLayer.settings.get(key) ?? layers.top.settings.get(key);
  const value = <K extends FlowKey>(key: K): FlowValue<K> =>
    FLOW_KEYS[key].parse(winning(key)?.value ?? FLOW_KEYS[key].default) as FlowValue<K>;

  const client = (kind: ClientKind, side: 'source' | 'target'): ClientOptions => {
    const alias = side === 'source' ? source : target;
    const layered = layeredClientOptions(kind, [layers.top, layers.clusters.get(alias)!, flowLayer], side);
    const options = kind === 'consumer' ? withMirrorConsumerDefaults(layered) : layered;
    checkClientOptions(kind, options, clusters[alias]!.bootstrapServers, d);
    return options;
  };

  const flow: FlowConfig = {
    source,
    target,
    line: flowLayer.enabled?.line ?? 0,
    topics: value('topics'),
    topicsExclude: value('topics.exclude'),
    groups: value('groups'),
    groupsExclude: value('groups.exclude'),
    replicationPolicy: value('replication.policy.class'),
    separator: value('replication.policy.separator'),
    internalTopicSeparatorEnabled: value('replication.policy.internal.topic.separator.enabled'),
    replicationFactor: value('replication.factor'),
    syncTopicConfigs: value('sync.topic.configs.enabled'),
    syncTopicConfigsIntervalMs: value('sync.topic.configs.interval.seconds'),
    configPropertiesExclude: value('config.properties.exclude'),
    useDefaultsFrom: value('use.defaults.from'),
    refreshTopicsEnabled: value('refresh.topics.enabled'),
    refreshTopicsIntervalMs: value('refresh.topics.interval.seconds'),
    refreshGroupsEnabled: value('refresh.groups.enabled'),
    refreshGroupsIntervalMs: value('refresh.groups.interval.seconds'),
    emitHeartbeats: value('emit.heartbeats.enabled'),
    heartbeatsIntervalMs: value('emit.heartbeats.interval.seconds'),
    emitCheckpoints: value('emit.checkpoints.enabled'),
    checkpointsIntervalMs: value('emit.checkpoints.interval.seconds'),
    syncGroupOffsets: value('sync.group.offsets.enabled'),
    syncGroupOffsetsIntervalMs: value('sync.group.offsets.interval.seconds'),
    emitOffsetSyncs: value('emit.offset-syncs.enabled'),
    offsetLagMax: value('offset.lag.max'),
    offsetSyncsTopicLocation: value('offset-syncs.topic.location'),
    heartbeatsTopicReplicationFactor: value('heartbeats.topic.replication.factor'),
    checkpointsTopicReplicationFactor: value('checkpoints.topic.replication.factor'),
    offsetSyncsTopicReplicationFactor: value('offset-syncs.topic.replication.factor'),
    positionsTopicReplicationFactor: value('offset.storage.replication.factor'),
    offsetFlushIntervalMs: value('offset.flush.interval.ms'),
    adminTimeoutMs: value('admin.timeout.ms'),
    sourceConsumer: client('consumer', 'source').options,
    sourceProducer: client('producer', 'source').options,
    sourceAdmin: client('admin', 'source').options,
    targetConsumer: client('consumer', 'target').options,
    targetProducer: client('producer', 'target').options,
    targetAdmin: client('admin', 'target').options,
    tasksMax: value('tasks.max'),
  };

  // The names the flow gives topics must lead back to its clusters (cycle detection reads them).
  for (const alias of [source, target]) {
    const problem = aliasTraceProblem(alias, flow.separator);
    if (problem) {
      const separatorEntry = winning('replication.policy.separator');
      throw d.error(separatorEntry ?? layers.clustersEntry, `${flowName(source, target)}: ${problem}`);
    }
  }
  if (!enabled) return flow;
  if (!flow.emitOffsetSyncs && (flow.emitCheckpoints || flow.syncGroupOffsets)) {
    const needs = [flow.emitCheckpoints ? 'emit.checkpoints.enabled' : '', flow.syncGroupOffsets ? 'sync.group.offsets.enabled' : ''].filter((k) => k !== '');
    throw d.error(winning('emit.offset-syncs.enabled')!, `false contradicts ${needs.join(' and ')} = true for ${flowName(source, target)}: `
      + 'checkpoints and group offset sync translate offsets with the offset syncs (set those to false as well)');
  }
  if (flow.topics.length === 0) {
    const entry = winning('topics');
    if (entry) d.warn(entry, `is empty, so ${flowName(source, target)} mirrors no topic (an empty list matches nothing, as in MM2)`);
  }
  return flow;
}

/** A flow with settings but not enabled: they do not take effect (heartbeats aside). */
function warnNotEnabled(flowLayer: Layer, source: string, target: string, d: Diagnostics): void {
  if (flowLayer.enabled !== undefined) return;
  const first = flowLayer.entries.find((e) => !e.key.includes('.emit.heartbeats.'));
  if (!first) return;
  d.warn(first, `${flowName(source, target)} is not enabled, so its settings do not take effect (a flow runs only with ${flowName(source, target)}.enabled = true, as in MM2)`);
}

function warnIdentityCycles(flows: readonly FlowConfig[], layers: ConfigLayers, d: Diagnostics): void {
  const identity = flows.filter((f) => f.replicationPolicy === 'identity');
  // One warning per line that chose the policy, naming every flow it puts on a cycle.
  const byEntry = new Map<string, { where: { key: string; line: number }; names: string[]; cycle: string[] }>();
  for (const { flow, cycle } of cyclesThrough(identity, flows)) {
    const name = flowName(flow.source, flow.target);
    const where = layers.flows.get(name)?.settings.get('replication.policy.class')
      ?? layers.clusters.get(flow.target)?.settings.get('replication.policy.class')
      ?? layers.top.settings.get('replication.policy.class')
      ?? { key: `${name}.enabled`, line: flow.line };
    const place = `${where.key}@${where.line}`;
    const found = byEntry.get(place);
    if (found) found.names.push(name);
    else byEntry.set(place, { where, names: [name], cycle });
  }
  for (const { where, names, cycle } of byEntry.values()) {
    d.warn(where, `${names.join(' and ')} use${names.length > 1 ? '' : 's'} IdentityReplicationPolicy on the cycle ${cycle.join('->')}: `
      + 'remote topics keep their source names, so the mirror cannot tell them from local ones and records would go round the cycle '
      + '(MM2: the identity policy is for one-way flows)');
  }
}
