// `strait topics`: kafka-topics.sh's flags and output layout.
import { Admin, ConfigSource, type PartitionReassignment, type TopicDescription } from '../../client/index.js';
import { flag, intOption, keyValueOptions, oneAction, parseCommand, requiredString, stringOption, UsageError } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  create: { type: 'boolean' },
  list: { type: 'boolean' },
  describe: { type: 'boolean' },
  delete: { type: 'boolean' },
  alter: { type: 'boolean' },
  topic: { type: 'string' },
  partitions: { type: 'string' },
  'replication-factor': { type: 'string' },
  config: { type: 'string', multiple: true },
  'if-not-exists': { type: 'boolean' },
  'if-exists': { type: 'boolean' },
  'exclude-internal': { type: 'boolean' },
  'under-replicated-partitions': { type: 'boolean' },
  'unavailable-partitions': { type: 'boolean' },
} as const;

const ACTIONS = ['create', 'list', 'describe', 'delete', 'alter'] as const;

export async function runTopics(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const action = oneAction(values, ACTIONS);
  const admin = new Admin({ 'bootstrap.servers': requiredString(values, 'bootstrap-server') });
  try {
    switch (action) {
      case 'create': {
        const name = requiredString(values, 'topic');
        const existing = flag(values, 'if-not-exists') ? await admin.listTopics({ includeInternal: true }) : [];
        if (existing.includes(name)) return 0;
        await admin.createTopics([
          {
            name,
            numPartitions: intOption(values, 'partitions', 1) ?? -1,
            replicationFactor: intOption(values, 'replication-factor', 1) ?? -1,
            configs: keyValueOptions(values, 'config'),
          },
        ]);
        out.write(`Created topic ${name}.\n`);
        return 0;
      }
      case 'list': {
        const names = await admin.listTopics({ includeInternal: !flag(values, 'exclude-internal') });
        for (const name of names.sort()) out.write(`${name}\n`);
        return 0;
      }
      case 'describe': {
        const topic = stringOption(values, 'topic');
        const names = topic ? [topic] : (await admin.listTopics({ includeInternal: !flag(values, 'exclude-internal') })).sort();
        if (names.length === 0) return 0;
        const descriptions = await admin.describeTopics(names);
        // As kafka-topics.sh does: the running reassignments, for the Adding/Removing columns.
        const reassignments = reassignmentsOf(await admin.listPartitionReassignments(
          descriptions.flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition })))));
        const filter = partitionFilter(flag(values, 'under-replicated-partitions'), flag(values, 'unavailable-partitions'));
        if (filter) {
          // Kafka's layout with a partition filter: only the partitions that match, no topic lines.
          for (const d of descriptions) out.write(partitionLines(d, filter, reassignments).join(''));
          return 0;
        }
        const configs = await admin.describeConfigs(names.map((name) => ({ type: 'topic' as const, name })));
        for (const d of descriptions) {
          const overrides = (configs.find((r) => r.name === d.name)?.configs ?? [])
            .filter((c) => c.source === ConfigSource.DYNAMIC_TOPIC_CONFIG)
            .map((c) => `${c.name}=${c.isSensitive ? 'null' : c.value}`);
          out.write(describeTopic(d, overrides, reassignments));
        }
        return 0;
      }
      case 'delete': {
        const name = requiredString(values, 'topic');
        if (flag(values, 'if-exists') && !(await admin.listTopics({ includeInternal: true })).includes(name)) return 0;
        await admin.deleteTopics([name]);
        return 0;
      }
      case 'alter': {
        const name = requiredString(values, 'topic');
        const partitions = intOption(values, 'partitions', 1);
        const configs = keyValueOptions(values, 'config');
        if (partitions === undefined && Object.keys(configs).length === 0) {
          throw new UsageError('--alter needs --partitions N or --config k=v');
        }
        if (partitions !== undefined) await admin.createPartitions([{ name, count: partitions }]);
        if (Object.keys(configs).length > 0) {
          await admin.incrementalAlterConfigs([
            { type: 'topic', name, changes: Object.entries(configs).map(([k, v]) => ({ name: k, op: 'set' as const, value: v })) },
          ]);
        }
        return 0;
      }
    }
  } finally {
    await admin.close();
  }
}

type PartitionDescription = TopicDescription['partitions'][number];

/** Running reassignments by topic and partition. */
export type ReassignmentsByPartition = ReadonlyMap<string, PartitionReassignment>;

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export function reassignmentsOf(list: readonly PartitionReassignment[]): ReassignmentsByPartition {
  return new Map(list.map((r) => [keyOf(r.topic, r.partition), r]));
}

/**
 * Kafka's TopicCommand replication factor: while a reassignment runs (its adding or removing replicas
 * still among the replicas), the replicas without those being added; else all of them.
 */
export function replicationFactor(p: PartitionDescription, reassignment: PartitionReassignment | undefined): number {
  const moving = reassignment && [...reassignment.addingReplicas, ...reassignment.removingReplicas].some((id) => p.replicas.includes(id));
  return moving ? p.replicas.filter((id) => !reassignment.addingReplicas.includes(id)).length : p.replicas.length;
}

/** --under-replicated-partitions (an ISR smaller than the replication factor) and
 * --unavailable-partitions (no leader), as kafka-topics.sh filters: a partition matching either is shown. */
export function partitionFilter(
  underReplicated: boolean, unavailable: boolean,
): ((p: PartitionDescription, reassignment?: PartitionReassignment) => boolean) | undefined {
  if (!underReplicated && !unavailable) return undefined;
  return (p, reassignment) => (underReplicated && p.isr.length < replicationFactor(p, reassignment)) || (unavailable && p.leaderId < 0);
}

/** One tab-indented line per partition (those `keep` accepts), in partition order, with Kafka's
 * `Adding Replicas:` / `Removing Replicas:` while a reassignment runs. */
export function partitionLines(
  d: TopicDescription, keep: (p: PartitionDescription, reassignment?: PartitionReassignment) => boolean = () => true,
  reassignments: ReassignmentsByPartition = new Map(),
): string[] {
  return [...d.partitions]
    .sort((a, b) => a.partition - b.partition)
    .filter((p) => keep(p, reassignments.get(keyOf(d.name, p.partition))))
    .map((p) => {
      const leader = p.leaderId < 0 ? 'none' : String(p.leaderId);
      const r = reassignments.get(keyOf(d.name, p.partition));
      const moving = r ? `\tAdding Replicas: ${r.addingReplicas.join(',')}\tRemoving Replicas: ${r.removingReplicas.join(',')}` : '';
      const offline = p.offlineReplicas.length > 0 ? `\tOffline: ${p.offlineReplicas.join(',')}` : '';
      return `\tTopic: ${d.name}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}${moving}${offline}\n`;
    });
}

/** Kafka's layout: a topic line, then one tab-indented line per partition. */
export function describeTopic(d: TopicDescription, overrides: string[], reassignments: ReassignmentsByPartition = new Map()): string {
  const first = d.partitions.find((p) => p.partition === 0) ?? d.partitions[0];
  const rf = first ? replicationFactor(first, reassignments.get(keyOf(d.name, first.partition))) : 0;
  return `Topic: ${d.name}\tTopicId: ${d.topicId}\tPartitionCount: ${d.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${overrides.join(',')}\n`
    + partitionLines(d, () => true, reassignments).join('');
}

export const topicsCommand: CliCommand = {
  name: 'topics',
  options: OPTIONS,
  help: {
    summary: "Create, list, describe, alter and delete topics, with kafka-topics.sh's flags and output.",
    usage: [
      'topics --bootstrap-server H:P --create --topic T [--partitions N] [--replication-factor N] [--config k=v ...] [--if-not-exists]',
      'topics --bootstrap-server H:P --list [--exclude-internal]',
      'topics --bootstrap-server H:P --describe [--topic T] [--exclude-internal] [--under-replicated-partitions] [--unavailable-partitions]',
      'topics --bootstrap-server H:P --alter --topic T [--partitions N] [--config k=v ...]',
      'topics --bootstrap-server H:P --delete --topic T [--if-exists]',
    ],
    options: [
      BOOTSTRAP_SERVER,
      ['--create', 'create the topic'],
      ['--list', 'print the topic names, one per line'],
      ['--describe', "print each topic and its partitions in Kafka's layout (every topic without --topic; Adding/Removing Replicas while a reassignment runs)"],
      ['--alter', 'add partitions or set topic configs'],
      ['--delete', 'delete the topic and its data'],
      ['--topic T', 'the topic'],
      ['--partitions N', 'partition count (create: default num.partitions; alter: the new, larger count)'],
      ['--replication-factor N', "replicas per partition (default: the broker's default.replication.factor)"],
      ['--config k=v', 'a topic config, e.g. retention.ms=60000 (repeatable)'],
      ['--if-not-exists', 'create: do nothing if the topic exists'],
      ['--if-exists', 'delete: do nothing if the topic does not exist'],
      ['--exclude-internal', 'list, describe: leave out internal topics'],
      ['--under-replicated-partitions', 'describe: only partitions whose ISR is smaller than their replicas (no topic lines)'],
      ['--unavailable-partitions', 'describe: only partitions without a leader (no topic lines)'],
    ],
    notes: ['Exactly one of --create, --list, --describe, --alter, --delete.'],
  },
  run: (argv) => runTopics(argv),
};
