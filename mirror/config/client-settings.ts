// The options of the mirror's clients, layered as MM2 layers them: top-level `consumer.*` <
// `<alias>.consumer.*` (the alias of the cluster the client talks to) < `<src>-><tgt>.consumer.*` <
// `<src>-><tgt>.source.consumer.*` (or `target.`). The consumer and producer options are checked with
// the SDK's own parsers at start-up, so a bad value stops the mirror naming the line that set it, and
// an option the SDK does not know is a warning there rather than in every client the mirror opens.
import {
  InvalidConfigError, parseBootstrapServers, parseConsumerConfig, parseProducerConfig, type PropertyEntry,
} from '../../client/index.js';
import type { ClientSide, Layer } from './config-layers.js';
import type { Diagnostics } from './diagnostics.js';
import type { ClientKind } from './mirror-keys.js';

export interface ClientOptions {
  options: Record<string, string>;
  /** The entry that set each option. */
  origins: Map<string, PropertyEntry>;
}

/** Options of a client of `kind` from the layers, lowest first. For a flow's client the last layer is
 * the flow's and `side` says which of its `source.`/`target.` settings apply on top; a cluster's own
 * client settings have no side. */
export function layeredClientOptions(kind: ClientKind, layers: readonly Layer[], side?: Exclude<ClientSide, 'both'>): ClientOptions {
  const options: Record<string, string> = {};
  const origins = new Map<string, PropertyEntry>();
  const apply = (wanted: ClientSide, layer: Layer): void => {
    for (const setting of layer.clients) {
      if (setting.kind !== kind || setting.side !== wanted) continue;
      options[setting.option] = setting.entry.value.trim();
      origins.set(setting.option, setting.entry);
    }
  };
  for (const layer of layers) apply('both', layer);
  if (side !== undefined && layers.length > 0) apply(side, layers[layers.length - 1]!);
  return { options, origins };
}

/** MM2 reads source and target records from the earliest offset of a partition it has no position
 * for, unless `consumer.auto.offset.reset` says otherwise (MirrorConnectorConfig). */
export function withMirrorConsumerDefaults(client: ClientOptions): ClientOptions {
  if (client.options['auto.offset.reset'] !== undefined) return client;
  return { options: { 'auto.offset.reset': 'earliest', ...client.options }, origins: client.origins };
}

/**
 * Checks the options with the SDK's parser for their kind. A value the SDK refuses is a
 * MirrorConfigError at the entry that set it; an option it does not know warns there. Of the admin
 * options only bootstrap.servers is checked: the SDK parses the others only in Admin, which connects.
 */
export function checkClientOptions(kind: ClientKind, client: ClientOptions, bootstrapServers: string, d: Diagnostics): void {
  // A client's own bootstrap.servers replaces its cluster's, as in MM2 (`primary.admin.bootstrap.servers`).
  const options = { 'bootstrap.servers': bootstrapServers, ...client.options };
  let unknownKeys: string[];
  try {
    if (kind === 'admin') {
      parseBootstrapServers(options['bootstrap.servers']);
      return;
    }
    unknownKeys = kind === 'consumer' ? parseConsumerConfig(options).unknownKeys : parseProducerConfig(options).unknownKeys;
  } catch (err) {
    if (!(err instanceof InvalidConfigError)) throw err;
    const origin = client.origins.get(err.key) ?? [...client.origins.values()].sort((a, b) => b.line - a.line)[0];
    throw d.error(origin ?? { key: `${kind}.${err.key}`, line: 0 }, `as a ${kind} option: ${err.message}`);
  }
  for (const option of unknownKeys) {
    const origin = client.origins.get(option);
    if (origin) d.warn(origin, `${option} is not a ${kind} option of the Strait SDK; ignored`);
  }
}
