// `strait reassign-partitions`: kafka-reassign-partitions.sh's flags, files and output lines.
// --generate proposes a plan, --execute starts it (with --throttle, the replication throttles too),
// --verify reports each partition and clears the throttles once all are done, --cancel stops the
// running ones, --list shows what runs. While a partition moves, --verify also says how far each
// replica it adds is behind, from the brokers' DescribeLogDirs (Kafka prints no such line).
import { readFileSync } from 'node:fs';
import { Admin, AdminOperationError, type BrokerLogDirs, type PartitionReassignment } from '../../client/index.js';
import { flag, intOption, oneAction, parseCommand, requiredString, UsageError, type ParsedCommand } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';
import {
  comparePartitions, formatReassignmentJson, parseReassignmentPlan, parseTopicsToMove, partitionName, proposeAssignment,
  throttledReplicaLists, type PlannedPartition,
} from '../reassignment-plan.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  generate: { type: 'boolean' },
  execute: { type: 'boolean' },
  verify: { type: 'boolean' },
  cancel: { type: 'boolean' },
  list: { type: 'boolean' },
  'topics-to-move-json-file': { type: 'string' },
  'reassignment-json-file': { type: 'string' },
  'broker-list': { type: 'string' },
  'disable-rack-aware': { type: 'boolean' },
  throttle: { type: 'string' },
  additional: { type: 'boolean' },
  'preserve-throttles': { type: 'boolean' },
} as const;

const ACTIONS = ['generate', 'execute', 'verify', 'cancel', 'list'] as const;

/** Kafka's broker-level throttle keys, set on every broker a moving partition touches. */
const BROKER_THROTTLES = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'] as const;
/** Kafka's topic-level throttle keys. */
const TOPIC_THROTTLES = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] as const;

export const EXISTING_REASSIGNMENT_MESSAGE = 'Cannot execute because there is an existing partition assignment.  Use --additional to override this '
  + 'and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by '
  + 'resubmitting the current reassignment.';
export const VERIFY_PERIODICALLY_MESSAGE = 'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.';

function readFile(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function brokerList(text: string): number[] {
  const ids = text.split(',').map((s) => s.trim());
  if (ids.length === 0 || !ids.every((s) => /^\d+$/.test(s))) throw new UsageError(`--broker-list must be broker ids separated by commas, got '${text}'`);
  const numbers = ids.map(Number);
  const repeated = numbers.find((id, i) => numbers.indexOf(id) !== i);
  if (repeated !== undefined) throw new UsageError(`Broker list contains duplicate entries: ${repeated}`);
  return numbers;
}

/** The replica lists the cluster has now for the partitions named (those of unknown topics left out). */
async function currentAssignment(admin: Admin, topics: readonly string[]): Promise<PlannedPartition[]> {
  const described = await admin.describeTopics([...new Set(topics)]);
  return described.flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition, replicas: [...p.replicas] }))).sort(comparePartitions);
}

async function generate(admin: Admin, values: ParsedCommand['values'], out: NodeJS.WritableStream): Promise<number> {
  const topics = parseTopicsToMove(readFile(requiredString(values, 'topics-to-move-json-file'), 'topics-to-move-json-file'));
  const brokers = brokerList(requiredString(values, 'broker-list'));
  const cluster = await admin.describeCluster();
  const unknown = brokers.filter((id) => !cluster.brokers.some((b) => b.nodeId === id));
  if (unknown.length > 0) throw new UsageError(`The given broker ids ${unknown.join(',')} are not live brokers of the cluster (${cluster.brokers.map((b) => b.nodeId).join(',')})`);
  const current = await currentAssignment(admin, topics);
  const placement = brokers.map((id) => {
    const rack = cluster.brokers.find((b) => b.nodeId === id)!.rack;
    return rack === '' ? { brokerId: id } : { brokerId: id, rack };
  });
  const proposed = proposeAssignment(current, placement, { rackAware: !flag(values, 'disable-rack-aware') });
  out.write(`Current partition replica assignment\n${formatReassignmentJson(current)}\n\n`);
  out.write(`Proposed partition reassignment configuration\n${formatReassignmentJson(proposed)}\n`);
  return 0;
}

async function execute(admin: Admin, values: ParsedCommand['values'], out: NodeJS.WritableStream): Promise<number> {
  const plan = parseReassignmentPlan(readFile(requiredString(values, 'reassignment-json-file'), 'reassignment-json-file'));
  const throttle = intOption(values, 'throttle', -1) ?? -1;
  const running = await admin.listPartitionReassignments();
  if (!flag(values, 'additional') && running.length > 0) throw new UsageError(EXISTING_REASSIGNMENT_MESSAGE);
  const current = await currentAssignment(admin, plan.map((p) => p.topic));
  const currentOf = (p: PlannedPartition): number[] => current.find((c) => c.topic === p.topic && c.partition === p.partition)?.replicas ?? [];
  const missing = plan.filter((p) => !current.some((c) => c.topic === p.topic && c.partition === p.partition));
  if (missing.length > 0) throw new UsageError(`The proposed assignment contains non-existent partitions: ${missing.map(partitionName).join(',')}`);
  out.write(`Current partition replica assignment\n\n${formatReassignmentJson(plan.map((p) => ({ ...p, replicas: currentOf(p) })))}\n\n`
    + 'Save this to use as the --reassignment-json-file option during rollback\n');
  if (throttle >= 0) {
    out.write(`${VERIFY_PERIODICALLY_MESSAGE}\n`);
    // Kafka's calculateProposedMoveMap: a partition already moving throttles from its original
    // replicas, and the running reassignments outside the plan keep their throttles.
    const runningOf = (p: { topic: string; partition: number }) => running.find((r) => r.topic === p.topic && r.partition === p.partition);
    const sourcesOf = (p: PlannedPartition): number[] => {
      const r = runningOf(p);
      return r ? r.replicas.filter((id) => !r.addingReplicas.includes(id)) : currentOf(p);
    };
    const moves = [...plan, ...running.filter((r) => !plan.some((p) => p.topic === r.topic && p.partition === r.partition))
      .map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas.filter((id) => !r.removingReplicas.includes(id)) }))];
    const lists = throttledReplicaLists(moves, sourcesOf);
    await admin.incrementalAlterConfigs([...lists.entries()].map(([topic, l]) => ({
      type: 'topic' as const, name: topic,
      changes: [{ name: TOPIC_THROTTLES[0], op: 'set' as const, value: l.leader }, { name: TOPIC_THROTTLES[1], op: 'set' as const, value: l.follower }],
    })));
    const brokers = [...new Set(moves.flatMap((p) => [...sourcesOf(p), ...p.replicas]))].sort((a, b) => a - b);
    await admin.incrementalAlterConfigs(brokers.map((id) => ({
      type: 'broker' as const, name: String(id), changes: BROKER_THROTTLES.map((name) => ({ name, op: 'set' as const, value: String(throttle) })),
    })));
    out.write(`The inter-broker throttle limit was set to ${throttle} B/s\n`);
  }
  try {
    await admin.alterPartitionReassignments(plan.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })));
  } catch (err) {
    if (!(err instanceof AdminOperationError)) throw err;
    throw new UsageError(`Error reassigning partition(s): ${err.failures.map((f) => `${f.item}: ${f.error.name}: ${f.error.message}`).join('; ')}`);
  }
  const names = [...plan].sort(comparePartitions).map(partitionName);
  out.write(`Successfully started partition reassignment${names.length === 1 ? '' : 's'} for ${names.join(',')}\n`);
  return 0;
}

/** Kafka's clearAllThrottles: the rates off every live broker and every broker of the plan, the
 * replica lists off every topic of the plan. */
async function clearThrottles(admin: Admin, plan: readonly PlannedPartition[], out: NodeJS.WritableStream): Promise<void> {
  const cluster = await admin.describeCluster();
  const brokers = [...new Set([...cluster.brokers.map((b) => b.nodeId), ...plan.flatMap((p) => p.replicas)])].sort((a, b) => a - b);
  out.write(`Clearing broker-level throttles on broker${brokers.length === 1 ? '' : 's'} ${brokers.join(',')}\n`);
  await admin.incrementalAlterConfigs(brokers.map((id) => ({
    type: 'broker' as const, name: String(id), changes: BROKER_THROTTLES.map((name) => ({ name, op: 'delete' as const })),
  })));
  const topics = [...new Set(plan.map((p) => p.topic))].sort();
  out.write(`Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ${topics.join(',')}\n`);
  await admin.incrementalAlterConfigs(topics.map((topic) => ({
    type: 'topic' as const, name: topic, changes: TOPIC_THROTTLES.map((name) => ({ name, op: 'delete' as const })),
  })));
}

/** One line per replica a running reassignment adds: how far it is behind, from its broker's log dirs. */
export function progressLines(r: PartitionReassignment, logDirs: readonly BrokerLogDirs[]): string[] {
  return r.addingReplicas.map((id) => {
    const replica = logDirs.find((b) => b.brokerId === id)?.logDirs.flatMap((d) => d.replicas).find((x) => x.topic === r.topic && x.partition === r.partition);
    if (!replica) return `  Replica ${id} of ${partitionName(r)} has no log yet.`;
    const where = `log end offset ${replica.logEndOffset}, ${replica.size} bytes`;
    return replica.offsetLag < 0
      ? `  Replica ${id} of ${partitionName(r)} has not fetched from the leader yet (${where}).`
      : `  Replica ${id} of ${partitionName(r)} is ${replica.offsetLag} records behind the leader (${where}).`;
  });
}

/** How many times --verify asks again, VERIFY_SETTLE_MS apart, while the two answers disagree. */
const VERIFY_SETTLE_TRIES = 10;
const VERIFY_SETTLE_MS = 200;

/**
 * The running reassignments of the plan's partitions and their current replicas. The two come from
 * different requests, which different nodes may answer from their own metadata images: a node that
 * has not applied a completion yet still lists the replicas being removed. So while some partition
 * runs no reassignment but has replicas other than its target, ask again (bounded), and report what
 * is then seen.
 */
async function reassignmentState(admin: Admin, plan: readonly PlannedPartition[]): Promise<{ running: PartitionReassignment[]; current: PlannedPartition[] }> {
  for (let attempt = 1; ; attempt++) {
    const running = await admin.listPartitionReassignments(plan.map((p) => ({ topic: p.topic, partition: p.partition })));
    const current = await currentAssignment(admin, plan.map((p) => p.topic));
    const differs = plan.some((p) => !running.some((r) => r.topic === p.topic && r.partition === p.partition)
      && current.find((c) => c.topic === p.topic && c.partition === p.partition)?.replicas.join(',') !== p.replicas.join(','));
    if (!differs || attempt >= VERIFY_SETTLE_TRIES) return { running, current };
    await new Promise((resolve) => setTimeout(resolve, VERIFY_SETTLE_MS));
  }
}

async function verify(admin: Admin, values: ParsedCommand['values'], out: NodeJS.WritableStream): Promise<number> {
  const plan = parseReassignmentPlan(readFile(requiredString(values, 'reassignment-json-file'), 'reassignment-json-file'));
  const { running, current } = await reassignmentState(admin, plan);
  const adding = [...new Set(running.flatMap((r) => r.addingReplicas))].sort((a, b) => a - b);
  const cluster = adding.length > 0 ? await admin.describeCluster() : undefined;
  const reachable = adding.filter((id) => cluster?.brokers.some((b) => b.nodeId === id));
  const logDirs = reachable.length > 0 ? await admin.describeLogDirs(reachable, [...new Set(running.map((r) => r.topic))]) : [];
  const lines = ['Status of partition reassignment:'];
  for (const p of [...plan].sort(comparePartitions)) {
    const ongoing = running.find((r) => r.topic === p.topic && r.partition === p.partition);
    if (ongoing) {
      lines.push(`Reassignment of partition ${partitionName(p)} is still in progress.`, ...progressLines(ongoing, logDirs));
      continue;
    }
    const now = current.find((c) => c.topic === p.topic && c.partition === p.partition)?.replicas ?? [];
    lines.push(now.join(',') === p.replicas.join(',')
      ? `Reassignment of partition ${partitionName(p)} is completed.`
      : `There is no active reassignment of partition ${partitionName(p)}, but replica set is ${now.join(',')} rather than ${p.replicas.join(',')}.`);
  }
  out.write(`${lines.join('\n')}\n`);
  if (running.length === 0 && !flag(values, 'preserve-throttles')) {
    out.write('\n');
    await clearThrottles(admin, plan, out);
  }
  return 0;
}

async function cancel(admin: Admin, values: ParsedCommand['values'], out: NodeJS.WritableStream): Promise<number> {
  const plan = parseReassignmentPlan(readFile(requiredString(values, 'reassignment-json-file'), 'reassignment-json-file'));
  const running = await admin.listPartitionReassignments(plan.map((p) => ({ topic: p.topic, partition: p.partition })));
  const cancelled = running.sort(comparePartitions);
  if (cancelled.length > 0) {
    try {
      await admin.alterPartitionReassignments(cancelled.map((r) => ({ topic: r.topic, partition: r.partition, replicas: null })));
    } catch (err) {
      if (!(err instanceof AdminOperationError)) throw err;
      throw new UsageError(`Error cancelling partition reassignment(s): ${err.failures.map((f) => `${f.item}: ${f.error.name}: ${f.error.message}`).join('; ')}`);
    }
  }
  if (!flag(values, 'preserve-throttles')) await clearThrottles(admin, plan, out);
  out.write(cancelled.length > 0
    ? `Successfully cancelled partition reassignment${cancelled.length === 1 ? '' : 's'} for: ${cancelled.map(partitionName).join(',')}\n`
    : 'None of the specified partition reassignments are active.\n');
  return 0;
}

/** Kafka's curReassignmentsToString. */
export function formatRunning(running: readonly PartitionReassignment[]): string {
  if (running.length === 0) return 'No partition reassignments found.\n';
  const lines = [...running].sort(comparePartitions).map((r) => `${partitionName(r)}: replicas: ${r.replicas.join(',')}.`
    + `${r.addingReplicas.length === 0 ? '' : ` adding: ${r.addingReplicas.join(',')}.`}`
    + `${r.removingReplicas.length === 0 ? '' : ` removing: ${r.removingReplicas.join(',')}.`}`);
  return `Current partition reassignments:\n${lines.join('\n')}\n`;
}

export async function runReassignPartitions(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const action = oneAction(values, ACTIONS);
  if (values.throttle !== undefined && action !== 'execute') throw new UsageError('--throttle goes with --execute');
  const admin = new Admin({ 'bootstrap.servers': requiredString(values, 'bootstrap-server') });
  try {
    switch (action) {
      case 'generate': return await generate(admin, values, out);
      case 'execute': return await execute(admin, values, out);
      case 'verify': return await verify(admin, values, out);
      case 'cancel': return await cancel(admin, values, out);
      case 'list':
        out.write(formatRunning(await admin.listPartitionReassignments()));
        return 0;
    }
  } finally {
    await admin.close();
  }
}

export const reassignPartitionsCommand: CliCommand = {
  name: 'reassign-partitions',
  options: OPTIONS,
  help: {
    summary: "Move partition replicas between brokers, with kafka-reassign-partitions.sh's plans, flags and output.",
    usage: [
      'reassign-partitions --bootstrap-server H:P --generate --topics-to-move-json-file F --broker-list 1,2,3 [--disable-rack-aware]',
      'reassign-partitions --bootstrap-server H:P --execute --reassignment-json-file F [--throttle BYTES_PER_S] [--additional]',
      'reassign-partitions --bootstrap-server H:P --verify --reassignment-json-file F [--preserve-throttles]',
      'reassign-partitions --bootstrap-server H:P --cancel --reassignment-json-file F [--preserve-throttles]',
      'reassign-partitions --bootstrap-server H:P --list',
    ],
    options: [
      BOOTSTRAP_SERVER,
      ['--generate', 'print the current assignment of the topics and a proposed one over --broker-list'],
      ['--execute', 'start the reassignment of --reassignment-json-file (prints the current assignment, to roll back with)'],
      ['--verify', 'say per partition whether it is done (and how far each new replica is behind); once all are, clear the throttles'],
      ['--cancel', 'cancel the running reassignments of the file\'s partitions (back to their original replicas) and clear the throttles'],
      ['--list', 'the running reassignments'],
      ['--topics-to-move-json-file F', '{"topics": [{"topic": "foo"}], "version": 1}'],
      ['--reassignment-json-file F', '{"version": 1, "partitions": [{"topic": "foo", "partition": 0, "replicas": [1, 2]}]}'],
      ['--broker-list 1,2,3', 'generate: the brokers to place the replicas on'],
      ['--disable-rack-aware', 'generate: ignore the brokers\' racks'],
      ['--throttle BYTES_PER_S', 'execute: throttle the moving replicas\' replication to this rate (leader and follower side) until --verify clears it'],
      ['--additional', 'execute: even though reassignments are running (also to change the throttle)'],
      ['--preserve-throttles', 'verify, cancel: leave the throttles in place'],
    ],
    notes: ['Exactly one of --generate, --execute, --verify, --cancel, --list.'],
  },
  run: (argv) => runReassignPartitions(argv),
};
