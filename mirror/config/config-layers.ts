// Sorts the entries of a mirror config file into MM2's layers: top level, `<alias>.` and
// `<src>-><tgt>.`. Each value is checked here, where it is read, so a bad value stops start-up even in
// a layer no flow ends up using; security and other refused settings stop it too; unknown keys and
// keys Strait does not implement become warnings. Which layer wins for a flow is mirror-config.ts's
// business.
import { refusedSecurityKey, type PropertyEntry } from '../../client/index.js';
import type { Diagnostics } from './diagnostics.js';
import { addressOf, flowName, type KeyAddress } from './key-address.js';
import {
  CLIENT_KINDS, FLOW_KEYS, LEGACY_NAMES, isFlowKey, refusedMirrorKey, unimplementedKey, type ClientKind, type FlowKey,
} from './mirror-keys.js';
import { parseBoolean, parseList, ValueProblem } from './value-parsers.js';

/** Which of a flow's clients a flow-level client setting is for: `consumer.x` is for both clusters'
 * consumers, `source.consumer.x` only for the source's (MM2's connector-level prefixes). */
export type ClientSide = 'both' | 'source' | 'target';

export interface ClientSetting {
  kind: ClientKind;
  side: ClientSide;
  option: string;
  entry: PropertyEntry;
}

export interface Layer {
  /** Flow settings by MM2's current name, each with the entry that set it. */
  settings: Map<FlowKey, PropertyEntry>;
  /** Client settings in file order (a later one for the same option wins). */
  clients: ClientSetting[];
  bootstrap: PropertyEntry | undefined;
  /** `<src>-><tgt>.enabled`; only a flow layer has one. */
  enabled: PropertyEntry | undefined;
  /** Every entry of this layer, in file order. */
  entries: PropertyEntry[];
}

export interface FlowLayer extends Layer {
  source: string;
  target: string;
}

export interface ConfigLayers {
  clustersEntry: PropertyEntry;
  aliases: string[];
  top: Layer;
  clusters: Map<string, Layer>;
  /** By flow name (`A->B`), for every flow the file has a key of. */
  flows: Map<string, FlowLayer>;
}

export const emptyLayer = (): Layer => ({ settings: new Map(), clients: [], bootstrap: undefined, enabled: undefined, entries: [] });

/** Aliases become parts of topic names (`A.orders`, `A.checkpoints.internal`). */
const ALIAS_CHARS = /^[A-Za-z0-9._-]+$/;

/** `${provider:path:key}`: a value Connect's config providers would have replaced. */
const PROVIDER_PLACEHOLDER = /\$\{[^}:]+:[^}]*\}/;

const CLIENT_KEY = /^(?:(source|target)\.)?(consumer|producer|admin)\.(.+)$/;

/** Keys that mean something at top level as written, whatever the cluster aliases are. */
function isTopLevelKey(key: string): boolean {
  return key === 'clusters' || key === 'bootstrap.servers' || isFlowKey(key) || LEGACY_NAMES.has(key) || unimplementedKey(key) !== undefined;
}

/** The last entry of each key, as java.util.Properties keeps it; the earlier ones warn. */
function lastOfEachKey(entries: readonly PropertyEntry[], d: Diagnostics): PropertyEntry[] {
  const last = new Map<string, PropertyEntry>();
  for (const entry of entries) {
    const earlier = last.get(entry.key);
    if (earlier) {
      d.warn(earlier, `set again on line ${entry.line}, which wins`);
      last.delete(entry.key);
    }
    last.set(entry.key, entry);
  }
  return [...last.values()].sort((a, b) => a.line - b.line);
}

function readClusters(entries: readonly PropertyEntry[], d: Diagnostics): { clustersEntry: PropertyEntry; aliases: string[] } {
  const clustersEntry = entries.find((e) => e.key === 'clusters');
  if (!clustersEntry) throw d.error({ key: 'clusters', line: 0 }, 'is required: list the cluster aliases, e.g. clusters = A, B');
  const aliases = parseList(clustersEntry.value);
  if (aliases.length === 0) throw d.error(clustersEntry, 'names no cluster: list the cluster aliases, e.g. clusters = A, B');
  const seen = new Set<string>();
  for (const alias of aliases) {
    if (!ALIAS_CHARS.test(alias)) {
      throw d.error(clustersEntry, `alias "${alias}" has characters a topic name cannot hold (only [A-Za-z0-9._-]): aliases become parts of remote topic names`);
    }
    if (seen.has(alias)) throw d.error(clustersEntry, `alias "${alias}" appears twice`);
    if ((CLIENT_KINDS as readonly string[]).includes(alias)) throw d.error(clustersEntry, `alias "${alias}" would make every ${alias}.* key mean two things (a cluster's setting, or a client option)`);
    seen.add(alias);
  }
  return { clustersEntry, aliases };
}

export function readLayers(input: readonly PropertyEntry[], d: Diagnostics): ConfigLayers {
  const entries = lastOfEachKey(input, d);
  const { clustersEntry, aliases } = readClusters(entries, d);
  const layers: ConfigLayers = { clustersEntry, aliases, top: emptyLayer(), clusters: new Map(), flows: new Map() };
  for (const alias of aliases) layers.clusters.set(alias, emptyLayer());
  for (const entry of entries) {
    if (entry === clustersEntry) continue;
    if (PROVIDER_PLACEHOLDER.test(entry.value)) {
      throw d.error(entry, `"${entry.value.trim()}" is a config provider placeholder: config providers are not implemented, write the value itself`);
    }
    const address = addressOf(entry.key, aliases, isTopLevelKey);
    if ('problem' in address) throw d.error(entry, address.problem);
    const layer = layerOf(layers, address, entry, d);
    layer.entries.push(entry);
    place(layer, address, entry, d);
  }
  return layers;
}

function layerOf(layers: ConfigLayers, address: KeyAddress, entry: PropertyEntry, d: Diagnostics): Layer {
  switch (address.scope) {
    case 'top':
      return layers.top;
    case 'cluster':
      return layers.clusters.get(address.alias)!;
    case 'flow': {
      if (address.source === address.target) {
        throw d.error(entry, `${flowName(address.source, address.target)} is not a flow: a cluster cannot mirror into itself`);
      }
      const name = flowName(address.source, address.target);
      let flow = layers.flows.get(name);
      if (!flow) {
        flow = { ...emptyLayer(), source: address.source, target: address.target };
        layers.flows.set(name, flow);
      }
      return flow;
    }
  }
}

/** Puts one entry in its layer, or refuses it, or warns about it. */
function place(layer: Layer, address: KeyAddress, entry: PropertyEntry, d: Diagnostics): void {
  const { setting } = address;
  const value = entry.value;
  const client = CLIENT_KEY.exec(setting);
  const refusal = refusedSecurityKey(setting, value) ?? (client ? refusedSecurityKey(client[3]!, value) : undefined)
    ?? refusedMirrorKey(setting, value);
  if (refusal !== undefined) throw d.error(entry, refusal);

  if (setting === 'clusters') {
    d.unknown(entry, 'clusters is a top-level key; here it is ignored');
    return;
  }
  if (setting === 'bootstrap.servers') {
    if (address.scope === 'flow') {
      d.warn(entry, 'a flow has no bootstrap servers of its own; set <alias>.bootstrap.servers. Ignored');
      return;
    }
    layer.bootstrap = entry;
    return;
  }
  if (setting === 'enabled') {
    if (address.scope !== 'flow') {
      d.warn(entry, 'enabled takes effect only as <source>-><target>.enabled (as in MM2, every flow is off until enabled); ignored');
      return;
    }
    check(entry, () => parseBoolean(value), d);
    layer.enabled = entry;
    return;
  }
  const flowKey = isFlowKey(setting) ? setting : LEGACY_NAMES.get(setting);
  if (flowKey !== undefined) {
    check(entry, () => FLOW_KEYS[flowKey].parse(value), d);
    const legacy = setting !== flowKey;
    const current = layer.settings.get(flowKey);
    if (current && legacy) {
      d.warn(entry, `ignored: ${flowKey} (the current name of this MM2 setting) is set beside it, on line ${current.line}`);
      return;
    }
    if (current) d.warn(current, `ignored: ${flowKey} (the current name of this MM2 setting) is set beside it, on line ${entry.line}`);
    layer.settings.set(flowKey, entry);
    return;
  }
  const unimplemented = unimplementedKey(setting);
  if (unimplemented) {
    if (!unimplemented.harmless?.(value)) d.warn(entry, `ignored, Strait does not implement this MM2 setting: ${unimplemented.why}`);
    return;
  }
  if (client) {
    // PLAINTEXT is all there is (anything else was refused above): nothing to pass on.
    if (client[3] === 'security.protocol') return;
    const side = (client[1] ?? 'both') as ClientSide;
    if (side !== 'both' && address.scope !== 'flow') {
      d.unknown(entry, `${client[1]}.${client[2]}.* is a flow-level prefix (<source>-><target>.${client[1]}.${client[2]}.*); ignored here`);
      return;
    }
    layer.clients.push({ kind: client[2] as ClientKind, side, option: client[3]!, entry });
    return;
  }
  d.unknown(entry, 'unknown key (not a MirrorMaker 2 setting Strait knows); ignored');
}

function check(entry: PropertyEntry, parse: () => unknown, d: Diagnostics): void {
  try {
    parse();
  } catch (err) {
    if (err instanceof ValueProblem) throw d.error(entry, err.message);
    throw err;
  }
}
