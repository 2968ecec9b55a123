// The demo's regions and their mirror: each region a local 3-node cluster (every node a broker and a
// controller) with the demo topic replicated three ways, and an active-active mirror config between
// them in MirrorMaker 2's vocabulary, as a user would write it. Also how far the mirror has come: the
// log ends of each source topic against its remote copy.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Admin, LATEST_TIMESTAMP } from '../../client/index.js';
import { planLocalCluster, startPlannedNodes, stopNodes, type ClusterPlan, type RunningNode } from '../local-cluster.js';

export interface Region {
  name: string;
  plan: ClusterPlan;
  nodes: RunningNode[];
  admin: Admin;
}

export interface Flow {
  source: string;
  target: string;
}

const NODES_PER_REGION = 3;

/** Starts a region's nodes (each in its own process group: see SpawnOptions.detached) and creates the topic. */
export async function startRegion(name: string, baseDir: string, topic: string, partitions: number): Promise<Region> {
  const plan = await planLocalCluster({
    nodes: NODES_PER_REGION,
    baseDir: path.join(baseDir, name),
    config: { 'min.insync.replicas': '2', 'default.replication.factor': String(NODES_PER_REGION) },
  });
  const nodes = await startPlannedNodes(plan, { detached: true });
  const admin = new Admin({ 'bootstrap.servers': plan.bootstrap });
  try {
    await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: NODES_PER_REGION }]);
  } catch (err) {
    await admin.close();
    await stopNodes(nodes);
    throw err;
  }
  return { name, plan, nodes, admin };
}

export async function stopRegion(region: Region): Promise<void> {
  await region.admin.close().catch(() => undefined);
  await stopNodes(region.nodes);
}

/** Every flow of an active-active mirror between the regions, in config order. */
export function activeActiveFlows(regions: readonly string[]): Flow[] {
  return regions.flatMap((source) => regions.filter((t) => t !== source).map((target) => ({ source, target })));
}

/** The mirror's config file: an mm2.properties a user could run with `strait mirror --config`. */
export function writeMirrorConfig(file: string, regions: readonly Region[]): void {
  const lines = [
    '# Written by strait demo: an active-active mirror between its two local regions.',
    `clusters = ${regions.map((r) => r.name).join(', ')}`,
    ...regions.map((r) => `${r.name}.bootstrap.servers = ${r.plan.bootstrap}`),
    ...activeActiveFlows(regions.map((r) => r.name)).map((f) => `${f.source}->${f.target}.enabled = true`),
    `replication.factor = ${NODES_PER_REGION}`,
    // The demo topic exists before the mirror starts; a topic made later shows up within this.
    'refresh.topics.interval.seconds = 5',
    'refresh.groups.interval.seconds = 5',
    'emit.checkpoints.interval.seconds = 5',
    '',
  ];
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n'));
}

/** The remote topic of `topic` from `source` under MM2's default replication policy. */
export function remoteTopic(source: string, topic: string): string {
  return `${source}.${topic}`;
}

async function logEnds(admin: Admin, topic: string, partitions: number): Promise<number[]> {
  const answers = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
  return answers.map((a) => a.offset);
}

export interface FlowProgress extends Flow {
  /** Records in the source topic and in its remote copy on the target (undefined: not readable yet). */
  sourceRecords: number;
  remoteRecords: number | undefined;
  /** Every remote partition has at least as many records as its source partition. */
  caughtUp: boolean;
}

export async function flowProgress(flow: Flow, regions: readonly Region[], topic: string, partitions: number): Promise<FlowProgress> {
  const source = regions.find((r) => r.name === flow.source)!;
  const target = regions.find((r) => r.name === flow.target)!;
  const sourceEnds = await logEnds(source.admin, topic, partitions);
  const sourceRecords = sourceEnds.reduce((a, b) => a + b, 0);
  let remoteEnds: number[];
  try {
    remoteEnds = await logEnds(target.admin, remoteTopic(flow.source, topic), partitions);
  } catch {
    return { ...flow, sourceRecords, remoteRecords: undefined, caughtUp: false };
  }
  return {
    ...flow,
    sourceRecords,
    remoteRecords: remoteEnds.reduce((a, b) => a + b, 0),
    caughtUp: sourceEnds.every((end, p) => (remoteEnds[p] ?? -1) >= end),
  };
}
