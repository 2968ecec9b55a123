// `strait leader-election`: kafka-leader-election.sh's flags and output lines. Preferred moves each
// partition's leadership back to its first replica (when that is in the ISR and live); unclean gives a
// leaderless partition a live replica from outside the ISR.
import { readFileSync } from 'node:fs';
import { Admin, type ElectionOutcome, type ElectionType, type TopicPartitionId, ErrorCode } from '../../client/index.js';
import { flag, intOption, parseCommand, requiredString, stringOption, UsageError, type ParsedCommand } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';
import { comparePartitions, partitionName } from '../reassignment-plan.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  'election-type': { type: 'string' },
  topic: { type: 'string' },
  partition: { type: 'string' },
  'all-topic-partitions': { type: 'boolean' },
  'path-to-json-file': { type: 'string' },
} as const;

/** `{"partitions": [{"topic": "foo", "partition": 1}, ...]}`, each partition once (Kafka's format). */
export function parseElectionPartitions(text: string): TopicPartitionId[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the partitions file is not valid JSON: ${(err as Error).message}`);
  }
  const list = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(list)) throw new UsageError('the partitions file needs {"partitions": [{"topic": "foo", "partition": 0}, ...]}');
  const partitions = list.map((p: unknown) => {
    const { topic, partition } = (p ?? {}) as { topic?: unknown; partition?: unknown };
    if (typeof topic !== 'string' || topic === '' || !Number.isInteger(partition) || (partition as number) < 0) {
      throw new UsageError(`the partitions file: ${JSON.stringify(p)} needs "topic" and "partition"`);
    }
    return { topic, partition: partition as number };
  });
  const names = partitions.map(partitionName);
  const duplicates = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (duplicates.length > 0) throw new UsageError(`Replica election data contains duplicate partitions: ${duplicates.join(',')}`);
  return partitions;
}

function electionType(values: ParsedCommand['values']): ElectionType {
  const given = requiredString(values, 'election-type').toLowerCase();
  if (given !== 'preferred' && given !== 'unclean') throw new UsageError(`--election-type must be preferred or unclean, got '${given}'`);
  return given;
}

/** The partitions to elect, undefined for every one (--all-topic-partitions). */
function target(values: ParsedCommand['values']): TopicPartitionId[] | undefined {
  const topic = stringOption(values, 'topic');
  const file = stringOption(values, 'path-to-json-file');
  const all = flag(values, 'all-topic-partitions');
  if ([topic !== undefined, file !== undefined, all].filter(Boolean).length !== 1) {
    throw new UsageError('One and only one of the following options is required: --topic, --all-topic-partitions, --path-to-json-file');
  }
  if (values.partition !== undefined && topic === undefined) throw new UsageError('--partition goes with --topic');
  if (topic !== undefined) {
    const partition = intOption(values, 'partition', 0);
    if (partition === undefined) throw new UsageError('Missing required argument --partition (with --topic)');
    return [{ topic, partition }];
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--path-to-json-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return parseElectionPartitions(text);
  }
  return undefined;
}

/** Kafka's LeaderElectionCommand output: the elected, those that needed nothing, then each failure. */
export function electionReport(type: ElectionType, outcomes: readonly ElectionOutcome[]): { lines: string[]; failed: number } {
  const sorted = [...outcomes].sort(comparePartitions);
  const name = type.toUpperCase();
  const succeeded = sorted.filter((o) => o.error === undefined);
  const noop = sorted.filter((o) => o.error?.code === ErrorCode.ELECTION_NOT_NEEDED);
  const failed = sorted.filter((o) => o.error !== undefined && o.error.code !== ErrorCode.ELECTION_NOT_NEEDED);
  const lines: string[] = [];
  if (succeeded.length > 0) lines.push(`Successfully completed leader election (${name}) for partitions ${succeeded.map(partitionName).join(', ')}`);
  if (noop.length > 0) lines.push(`Valid replica already elected for partitions ${noop.map(partitionName).join(', ')}`);
  for (const f of failed) lines.push(`Error completing leader election (${name}) for partition: ${partitionName(f)}: ${f.error!.name}: ${f.error!.message}`);
  return { lines, failed: failed.length };
}

export async function runLeaderElection(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const bootstrap = requiredString(values, 'bootstrap-server');
  const type = electionType(values);
  const partitions = target(values);
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  try {
    const { lines, failed } = electionReport(type, await admin.electLeaders(type, partitions));
    if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
    if (failed > 0) {
      err.write(`strait leader-election: ${failed} replica(s) could not be elected\n`);
      return 1;
    }
    return 0;
  } finally {
    await admin.close();
  }
}

export const leaderElectionCommand: CliCommand = {
  name: 'leader-election',
  options: OPTIONS,
  help: {
    summary: "Elect partition leaders (preferred replica or unclean), with kafka-leader-election.sh's flags and output.",
    usage: [
      'leader-election --bootstrap-server H:P --election-type preferred|unclean --topic T --partition N',
      'leader-election --bootstrap-server H:P --election-type preferred|unclean --all-topic-partitions',
      'leader-election --bootstrap-server H:P --election-type preferred|unclean --path-to-json-file F',
    ],
    options: [
      BOOTSTRAP_SERVER,
      ['--election-type TYPE', 'preferred: back to each partition\'s first replica when it is in the ISR and live; unclean: a live replica outside the ISR for a partition without a leader (may lose records)'],
      ['--topic T', 'the topic of the one partition to elect (with --partition)'],
      ['--partition N', 'the partition of --topic'],
      ['--all-topic-partitions', 'every partition of every topic (only those that needed an election are reported)'],
      ['--path-to-json-file F', '{"partitions": [{"topic": "foo", "partition": 1}, ...]}'],
    ],
    notes: ['Exactly one of --topic, --all-topic-partitions, --path-to-json-file. Exits 1 when any partition could not be elected.'],
  },
  run: (argv) => runLeaderElection(argv),
};
