// `strait cluster`: start a local cluster on loopback (one process per node) and keep it in the
// foreground until SIGINT/SIGTERM, or, with --describe, show a running cluster as an operator wants
// to see it: cluster id, active controller, voters, and each node's roles and state.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Admin, type ClusterDescription, type ClusterNode } from '../../client/index.js';
import { flag, intOption, parseCommand, requiredString, stringOption, UsageError } from '../cli-args.js';
import type { CliCommand } from '../command.js';
import { isClusterId } from '../../broker/index.js';
import { planLocalCluster, startPlannedNodes, stopNodes, type RunningNode } from '../local-cluster.js';
import { formatTable } from '../table.js';

const OPTIONS = {
  brokers: { type: 'string' },
  controllers: { type: 'string' },
  'data-dir': { type: 'string' },
  'base-port': { type: 'string' },
  'rack-aware': { type: 'boolean' },
  'cluster-id': { type: 'string' },
  describe: { type: 'boolean' },
  'bootstrap-server': { type: 'string' },
} as const;

export async function runCluster(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  if (flag(values, 'describe')) {
    if (values.brokers !== undefined) throw new UsageError('--describe and --brokers cannot be combined');
    return describeCluster(requiredString(values, 'bootstrap-server'), out);
  }
  const brokers = intOption(values, 'brokers', 1);
  if (brokers === undefined) throw new UsageError('Missing required argument --brokers (or use --describe)');
  const controllers = intOption(values, 'controllers', 1);
  if (controllers !== undefined && controllers > brokers) throw new UsageError(`--controllers ${controllers} is more than --brokers ${brokers}`);
  const basePort = intOption(values, 'base-port', 1);
  if (basePort !== undefined && basePort + brokers - 1 + 100 > 65_535) throw new UsageError(`--base-port ${basePort} leaves no room for ${brokers} nodes and their metrics ports`);
  const clusterId = stringOption(values, 'cluster-id');
  if (clusterId !== undefined && !isClusterId(clusterId)) throw new UsageError(`--cluster-id '${clusterId}' is not a cluster id (use strait storage random-uuid)`);
  const dataDir = stringOption(values, 'data-dir');
  return runLocalCluster({
    brokers,
    ...(controllers !== undefined ? { controllers } : {}),
    ...(basePort !== undefined ? { basePort } : {}),
    ...(clusterId !== undefined ? { clusterId } : {}),
    baseDir: dataDir !== undefined ? path.resolve(dataDir) : mkdtempSync(path.join(os.tmpdir(), 'strait-cluster-')),
    rackAware: flag(values, 'rack-aware'),
  }, out);
}

interface LocalClusterArgs {
  brokers: number;
  controllers?: number;
  basePort?: number;
  clusterId?: string;
  baseDir: string;
  rackAware: boolean;
}

async function runLocalCluster(args: LocalClusterArgs, out: NodeJS.WritableStream): Promise<number> {
  const plan = await planLocalCluster({
    nodes: args.brokers,
    ...(args.controllers !== undefined ? { controllers: args.controllers } : {}),
    ...(args.basePort !== undefined ? { basePort: args.basePort } : {}),
    ...(args.clusterId !== undefined ? { clusterId: args.clusterId } : {}),
    baseDir: args.baseDir,
    rackAware: args.rackAware,
  });
  out.write(`starting ${plan.nodes.length} node(s) of cluster ${plan.clusterId} in ${args.baseDir} ...\n`);
  // A signal while the nodes start must still stop them: remember it and stop once they are up.
  let signalled: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let nodes: RunningNode[];
    try {
      nodes = await startPlannedNodes(plan);
    } catch (err) {
      process.stderr.write(`strait cluster: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    out.write(nodeTable(nodes) + '\n\n');
    out.write(`cluster id        ${plan.clusterId}\n`);
    out.write(`voters            ${plan.voters}\n`);
    out.write(`bootstrap         ${plan.bootstrap}\n`);
    out.write(`try               strait topics --bootstrap-server ${plan.bootstrap} --describe\n`);
    out.write('press Ctrl-C to stop every node\n');
    const unexpectedExits = nodes.map((n) => n.process.exited.then(({ code, signal }) => {
      if (signalled === undefined) out.write(`node ${n.plan.nodeId} (pid ${n.process.child.pid}) exited on its own (code ${code}, signal ${signal})\n`);
    }));
    if (signalled === undefined) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        void Promise.all(nodes.map((n) => n.process.exited)).then(() => resolve());
      });
    }
    if (signalled === undefined) {
      process.stderr.write('strait cluster: every node has exited\n');
      return 1;
    }
    out.write(`${signalled}: stopping ${nodes.length} node(s) ...\n`);
    await stopNodes(nodes);
    await Promise.all(unexpectedExits);
    out.write(`stopped all nodes (pids ${nodes.map((n) => n.process.child.pid).join(', ')}); data kept in ${args.baseDir}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function nodeTable(nodes: readonly RunningNode[]): string {
  return formatTable(
    ['NODE', 'ROLES', 'ADDRESS', 'RACK', 'METRICS', 'PID', 'DATA-DIR'],
    nodes.map((n) => [
      n.plan.nodeId,
      n.plan.roles.join(','),
      n.plan.address,
      n.plan.rack || '-',
      `http://127.0.0.1:${n.process.metricsPort}/metrics`,
      n.process.child.pid ?? '-',
      n.plan.dataDir,
    ]),
  );
}

async function describeCluster(bootstrap: string, out: NodeJS.WritableStream): Promise<number> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap, retries: 2 });
  try {
    const description = await admin.describeCluster();
    out.write(formatClusterDescription(description));
    return 0;
  } finally {
    await admin.close();
  }
}

function nodeState(node: ClusterNode): string {
  // A controller-only node has no broker state; its ROLES say what it is.
  if (!node.roles.includes('broker')) return '-';
  if (node.inControlledShutdown) return 'controlled-shutdown';
  return node.fenced ? 'fenced' : 'active';
}

/** The text `strait cluster --describe` prints. */
export function formatClusterDescription(d: ClusterDescription): string {
  const nodes = [...d.nodes].sort((a, b) => a.nodeId - b.nodeId);
  const lines = [
    `ClusterId:        ${d.clusterId}`,
    `ActiveController: ${d.controllerId >= 0 ? d.controllerId : 'none'}`,
    `Voters:           ${[...d.voters].sort((a, b) => a - b).join(',') || '-'}`,
    `MetadataOffset:   ${d.metadataOffset}`,
    '',
    formatTable(
      ['NODE', 'ROLES', 'HOST:PORT', 'RACK', 'STATE'],
      nodes.map((n) => [
        n.nodeId + (n.nodeId === d.controllerId ? '*' : ''),
        n.roles.join(',') || '-',
        n.port > 0 ? `${n.host}:${n.port}` : '-',
        n.rack || '-',
        nodeState(n),
      ]),
    ),
    '',
    '* active controller',
    '',
  ];
  return lines.join('\n');
}

export const clusterCommand: CliCommand = {
  name: 'cluster',
  options: OPTIONS,
  help: {
    summary: 'Start a local cluster of N node processes on loopback and keep it until Ctrl-C, or describe a running cluster.',
    usage: [
      'cluster --brokers N [--controllers M] [--data-dir DIR] [--base-port P] [--rack-aware] [--cluster-id ID]',
      'cluster --describe --bootstrap-server H:P',
    ],
    options: [
      ['--brokers N', 'how many node processes to start'],
      ['--controllers M', 'how many of them are voters, with both roles (default: min(N, 3))'],
      ['--data-dir DIR', 'where the nodes keep their data (default: a new temporary directory)'],
      ['--base-port P', 'gRPC ports P, P+1, ... and metrics ports P+100, ... (default: free ports)'],
      ['--rack-aware', 'put the nodes in racks rack-a, rack-b, rack-c in turn'],
      ['--cluster-id ID', 'the cluster id (default: the one in --data-dir, else a new one)'],
      ['--describe', "print the cluster id, the active controller, the voters and each node's roles, address, rack and state"],
      ['--bootstrap-server H:P', 'with --describe: a node to ask (several: H1:P1,H2:P2)'],
    ],
  },
  run: (argv) => runCluster(argv),
};
