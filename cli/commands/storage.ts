// `strait storage`: kafka-storage.sh's format / random-uuid / info. Formatting writes meta.properties
// (node.id, cluster.id) into every log dir of a node before its first start, so that every node of a
// multi-voter cluster starts with the same cluster id and a stray node is refused.
import { ConfigError } from '../../client/index.js';
import {
  isClusterId, loadBrokerConfigFile, randomClusterId, readMetaProperties, writeMetaProperties, type MetaProperties,
} from '../../broker/index.js';
import { flag, parseCommand, requiredString, UsageError } from '../cli-args.js';
import type { CliCommand } from '../command.js';

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  'cluster-id': { type: 'string', short: 't' },
  'ignore-formatted': { type: 'boolean', short: 'g' },
} as const;

type Out = NodeJS.WritableStream;

export async function runStorage(argv: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  // kafka-storage.sh's shape: the action is the one positional word, anywhere among the options.
  const { values, positionals } = parseCommand(argv, OPTIONS, true);
  const [action, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`storage takes one action, got '${positionals.join(' ')}'`);
  switch (action) {
    case 'random-uuid':
      out.write(`${randomClusterId()}\n`);
      return 0;
    case 'format':
      return format(requiredString(values, 'config'), requiredString(values, 'cluster-id'), flag(values, 'ignore-formatted'), out, err);
    case 'info':
      return info(requiredString(values, 'config'), out);
    default:
      throw new UsageError(`storage needs an action: format, random-uuid or info${action ? ` (got '${action}')` : ''}`);
  }
}

interface NodeStorage {
  nodeId: number;
  logDirs: string[];
}

function nodeStorage(configFile: string): NodeStorage {
  try {
    const { config } = loadBrokerConfigFile(configFile);
    return { nodeId: config.nodeId, logDirs: config.logDirs };
  } catch (e) {
    // A config problem is the user's input: one line naming key and line, nothing written.
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** meta.properties of a dir, or the reason it cannot be read. */
function readMeta(dir: string): { meta?: MetaProperties; problem?: string } {
  try {
    const meta = readMetaProperties(dir);
    return meta ? { meta } : {};
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

function format(configFile: string, clusterId: string, ignoreFormatted: boolean, out: Out, err: Out): number {
  if (!isClusterId(clusterId)) {
    throw new UsageError(`Cluster ID string ${clusterId} does not appear to be a valid UUID (use strait storage random-uuid)`);
  }
  const { nodeId, logDirs } = nodeStorage(configFile);
  // Every dir is checked before any is written: a refused format changes nothing.
  const toFormat: string[] = [];
  for (const dir of logDirs) {
    const { meta, problem } = readMeta(dir);
    if (problem !== undefined) {
      err.write(`strait storage: ${dir} has an unreadable meta.properties: ${problem}\n`);
      return 1;
    }
    if (meta === undefined) {
      toFormat.push(dir);
      continue;
    }
    if (!ignoreFormatted) {
      const same = meta.clusterId === clusterId && meta.nodeId === nodeId;
      err.write(`strait storage: Log directory ${dir} is already formatted (cluster.id ${meta.clusterId}, node.id ${meta.nodeId}${same ? '' : `; asked for cluster.id ${clusterId}, node.id ${nodeId}`}). Use --ignore-formatted to ignore this directory and format the others.\n`);
      return 1;
    }
    out.write(`${dir} is already formatted (cluster.id ${meta.clusterId}, node.id ${meta.nodeId}); left as it is.\n`);
  }
  for (const dir of toFormat) {
    writeMetaProperties(dir, { nodeId, clusterId, version: 1 });
    out.write(`Formatting ${dir} with cluster.id ${clusterId} and node.id ${nodeId}.\n`);
  }
  return 0;
}

function info(configFile: string, out: Out): number {
  const { nodeId, logDirs } = nodeStorage(configFile);
  const problems: string[] = [];
  const found: string[] = [];
  const clusterIds = new Set<string>();
  for (const dir of logDirs) {
    const { meta, problem } = readMeta(dir);
    if (problem !== undefined) {
      problems.push(`${dir}: ${problem}`);
    } else if (meta === undefined) {
      problems.push(`${dir} is not formatted.`);
    } else {
      found.push(`  ${dir}: {cluster.id=${meta.clusterId}, node.id=${meta.nodeId}, version=${meta.version}}`);
      clusterIds.add(meta.clusterId);
      if (meta.nodeId !== nodeId) problems.push(`${dir} belongs to node.id ${meta.nodeId}, but the config says ${nodeId}.`);
    }
  }
  if (clusterIds.size > 1) problems.push(`The log directories belong to different clusters: ${[...clusterIds].join(', ')}.`);
  out.write(`Found log directories (node.id ${nodeId}):\n${logDirs.map((d) => `  ${d}`).join('\n')}\n\n`);
  if (found.length > 0) out.write(`Found metadata:\n${found.join('\n')}\n\n`);
  if (problems.length > 0) {
    out.write(`Found problem${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

export const storageCommand: CliCommand = {
  name: 'storage',
  options: OPTIONS,
  help: {
    summary: "Cluster ids and meta.properties, as kafka-storage.sh does: format each node's log dirs with one cluster id before a cluster's first start.",
    usage: [
      'storage random-uuid',
      'storage format --config FILE --cluster-id ID [--ignore-formatted]',
      'storage info --config FILE',
    ],
    options: [
      ['-c, --config FILE', "the node's broker config (its node.id and log.dirs)"],
      ['-t, --cluster-id ID', 'format: the cluster id (from strait storage random-uuid)'],
      ['-g, --ignore-formatted', 'format: leave log dirs that are already formatted as they are, instead of failing'],
    ],
  },
  run: (argv) => runStorage(argv),
};
