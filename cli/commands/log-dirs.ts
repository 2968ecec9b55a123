// `strait log-dirs --describe`: kafka-log-dirs.sh's flags and JSON. Each broker answers for its own
// replicas (DescribeLogDirs); each replica carries its size, offset lag and, beyond Kafka's fields,
// its log end offset.
import { Admin, errorName, type BrokerLogDirs } from '../../client/index.js';
import { flag, parseCommand, requiredString, stringOption, UsageError } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';
import { comparePartitions, partitionName } from '../reassignment-plan.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  describe: { type: 'boolean' },
  'topic-list': { type: 'string' },
  'broker-list': { type: 'string' },
} as const;

const list = (text: string | undefined): string[] => (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Kafka's JSON layout (version, brokers, logDirs, partitions as `topic-partition`). */
export function formatLogDirs(brokers: readonly BrokerLogDirs[]): string {
  return JSON.stringify({
    version: 1,
    brokers: brokers.map((b) => ({
      broker: b.brokerId,
      logDirs: b.logDirs.map((d) => ({
        logDir: d.logDir,
        error: d.error === undefined ? null : errorName(d.error.code),
        partitions: [...d.replicas].sort(comparePartitions).map((r) => ({
          partition: partitionName(r), size: r.size, offsetLag: r.offsetLag, isFuture: r.isFuture, logEndOffset: r.logEndOffset,
        })),
      })),
    })),
  });
}

export async function runLogDirs(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  if (!flag(values, 'describe')) throw new UsageError('Command must include --describe');
  const topics = list(stringOption(values, 'topic-list'));
  const brokerText = list(stringOption(values, 'broker-list'));
  if (!brokerText.every((s) => /^\d+$/.test(s))) throw new UsageError(`--broker-list must be broker ids separated by commas, got '${stringOption(values, 'broker-list')}'`);
  const admin = new Admin({ 'bootstrap.servers': requiredString(values, 'bootstrap-server') });
  try {
    const live = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    const wanted = brokerText.length === 0 ? live : brokerText.map(Number);
    const absent = wanted.filter((id) => !live.includes(id));
    if (absent.length > 0) {
      throw new UsageError(`The given brokers do not exist from --broker-list: ${absent.join(',')}. Current existent brokers: ${live.join(',')}`);
    }
    out.write('Querying brokers for log directories information\n');
    const described = await admin.describeLogDirs(wanted, topics);
    out.write(`Received log directory information from brokers ${described.map((b) => b.brokerId).join(',')}\n`);
    out.write(`${formatLogDirs(described)}\n`);
    return 0;
  } finally {
    await admin.close();
  }
}

export const logDirsCommand: CliCommand = {
  name: 'log-dirs',
  options: OPTIONS,
  help: {
    summary: "Describe each broker's log dirs and the replicas in them, as kafka-log-dirs.sh does (JSON).",
    usage: ['log-dirs --bootstrap-server H:P --describe [--topic-list t1,t2] [--broker-list 1,2]'],
    options: [
      BOOTSTRAP_SERVER,
      ['--describe', 'print the log dirs as JSON: per broker, per dir, each replica\'s size, offsetLag (records behind its leader), logEndOffset'],
      ['--topic-list t1,t2', 'only these topics (default: all)'],
      ['--broker-list 1,2', 'only these brokers (default: every live broker)'],
    ],
  },
  run: (argv) => runLogDirs(argv),
};
