// `strait consume`: kafka-console-consumer. Without --partition it joins a consumer group (--group G,
// else a throwaway console-consumer-NNNNN group that commits nothing, as Kafka's does) and reads the
// partitions the group gives it from the group's committed offsets; --from-beginning starts where the
// group has none at the log start, otherwise at the end. With --partition it reads that partition
// alone, without a group. Output follows Kafka's DefaultMessageFormatter: [CreateTime:ts]
// [Partition:p] [Offset:o] [headers] [key] value.
import { randomInt } from 'node:crypto';
import { Admin, Consumer, TimestampType, type ConsumedRecordWithTopic, type ConsumerOptions, type TopicPartition } from '../../client/index.js';
import { booleanProperty, flag, intOption, keyValueOptions, parseCommand, requiredString, stringOption, unescapeSeparator, UsageError } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  topic: { type: 'string' },
  partition: { type: 'string' },
  offset: { type: 'string' },
  'from-beginning': { type: 'boolean' },
  'max-messages': { type: 'string' },
  'timeout-ms': { type: 'string' },
  group: { type: 'string' },
  property: { type: 'string', multiple: true },
  'consumer-property': { type: 'string', multiple: true },
} as const;

const FORMATTER_PROPERTIES = new Set([
  'print.key', 'print.value', 'print.timestamp', 'print.partition', 'print.offset', 'print.headers',
  'key.separator', 'line.separator', 'headers.separator', 'null.literal',
]);

export interface RecordFormat {
  printKey: boolean;
  printValue: boolean;
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  keySeparator: string;
  lineSeparator: string;
  headersSeparator: string;
  nullLiteral: string;
}

export function parseRecordFormat(props: Record<string, string>): RecordFormat {
  for (const key of Object.keys(props)) {
    if (!FORMATTER_PROPERTIES.has(key)) throw new UsageError(`Unknown --property ${key} (known: ${[...FORMATTER_PROPERTIES].join(', ')})`);
  }
  return {
    printKey: booleanProperty(props, 'print.key', false),
    printValue: booleanProperty(props, 'print.value', true),
    printTimestamp: booleanProperty(props, 'print.timestamp', false),
    printPartition: booleanProperty(props, 'print.partition', false),
    printOffset: booleanProperty(props, 'print.offset', false),
    printHeaders: booleanProperty(props, 'print.headers', false),
    keySeparator: unescapeSeparator(props['key.separator'] ?? '\t'),
    lineSeparator: unescapeSeparator(props['line.separator'] ?? '\n'),
    headersSeparator: unescapeSeparator(props['headers.separator'] ?? ','),
    nullLiteral: props['null.literal'] ?? 'null',
  };
}

export function formatRecord(r: ConsumedRecordWithTopic, f: RecordFormat): string {
  const text = (b: Buffer | null): string => (b === null ? f.nullLiteral : b.toString('utf8'));
  let s = '';
  if (f.printTimestamp) {
    s += `${r.timestampType === TimestampType.LogAppendTime ? 'LogAppendTime' : 'CreateTime'}:${r.timestamp}${f.keySeparator}`;
  }
  if (f.printPartition) s += `Partition:${r.partition}${f.keySeparator}`;
  if (f.printOffset) s += `Offset:${r.offset}${f.keySeparator}`;
  if (f.printHeaders) {
    s += (r.headers.length === 0 ? 'NO_HEADERS' : r.headers.map((h) => `${h.key}:${text(h.value)}`).join(f.headersSeparator)) + f.keySeparator;
  }
  if (f.printKey) s += text(r.key) + (f.printValue ? f.keySeparator : '');
  if (f.printValue) s += text(r.value);
  return s + f.lineSeparator;
}

/** Kafka's console consumer settles group.id, auto-commit and auto.offset.reset from its flags this way. */
export function consumerSettings(
  flags: { group: string | undefined; partition: number | undefined; fromBeginning: boolean },
  props: Record<string, string>,
  random: () => number = () => randomInt(10_000, 100_000),
): { groupId: string | undefined; options: Record<string, string> } {
  const given = [...new Set([flags.group, props['group.id']].filter((g): g is string => g !== undefined))];
  if (given.length > 1) {
    throw new UsageError(`The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${given.map((g) => `'${g}'`).join(', ')}`);
  }
  if (given.length > 0 && flags.partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.');
  const reset = props['auto.offset.reset'];
  if (reset !== undefined && flags.fromBeginning && reset !== 'earliest') {
    throw new UsageError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`);
  }
  const options: Record<string, string> = { 'client.id': 'console-consumer', 'auto.offset.reset': flags.fromBeginning ? 'earliest' : 'latest', ...props };
  if (flags.partition !== undefined) return { groupId: undefined, options };
  if (given.length > 0) return { groupId: given[0]!, options: { ...options, 'group.id': given[0]! } };
  // No group: a throwaway one that commits nothing, unless asked to (Kafka: "avoid unnecessary
  // expansion of the coordinator cache").
  const groupId = `console-consumer-${random()}`;
  return { groupId, options: { 'enable.auto.commit': 'false', ...options, 'group.id': groupId } };
}

export async function runConsume(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const topic = requiredString(values, 'topic');
  const format = parseRecordFormat(keyValueOptions(values, 'property'));
  const bootstrap = requiredString(values, 'bootstrap-server');
  const partition = intOption(values, 'partition', 0);
  const offsetArg = stringOption(values, 'offset');
  if (offsetArg !== undefined && partition === undefined) throw new UsageError('--offset requires --partition');
  if (offsetArg !== undefined && flag(values, 'from-beginning')) throw new UsageError('--offset and --from-beginning cannot be used together');
  const maxMessages = intOption(values, 'max-messages', 1);
  const timeoutMs = intOption(values, 'timeout-ms', 1);
  const { groupId, options } = consumerSettings(
    { group: stringOption(values, 'group'), partition, fromBeginning: flag(values, 'from-beginning') },
    keyValueOptions(values, 'consumer-property'),
  );

  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  let partitions: TopicPartition[];
  try {
    const [description] = await admin.describeTopics([topic]);
    const all = description!.partitions.map((p) => p.partition).sort((a, b) => a - b);
    if (partition !== undefined && !all.includes(partition)) {
      throw new UsageError(`Partition ${partition} does not exist in topic ${topic} (partitions: ${all.join(',')})`);
    }
    partitions = (partition === undefined ? all : [partition]).map((p) => ({ topic, partition: p }));
  } finally {
    await admin.close();
  }

  const consumer = new Consumer({ ...options, 'bootstrap.servers': bootstrap } as ConsumerOptions);
  let processed = 0;
  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (groupId !== undefined) {
      // A group member: the coordinator assigns the partitions; each starts at the group's committed
      // offset, or by auto.offset.reset (--from-beginning) where the group has none.
      consumer.subscribe([topic]);
    } else {
      consumer.assign(partitions);
      if (offsetArg === undefined) {
        if (flag(values, 'from-beginning')) await consumer.seekToBeginning(partitions);
        else await consumer.seekToEnd(partitions);
      } else if (offsetArg === 'earliest') await consumer.seekToBeginning(partitions);
      else if (offsetArg === 'latest') await consumer.seekToEnd(partitions);
      else if (/^\d+$/.test(offsetArg)) consumer.seek(partitions[0]!, Number(offsetArg));
      else throw new UsageError(`--offset must be earliest, latest or a non-negative integer, got '${offsetArg}'`);
    }

    let idleSince = Date.now();
    while (!stopping && (maxMessages === undefined || processed < maxMessages)) {
      const records = await consumer.poll(200);
      if (records.length === 0) {
        if (timeoutMs !== undefined && Date.now() - idleSince >= timeoutMs) break;
        continue;
      }
      idleSince = Date.now();
      let chunk = '';
      const unprinted = new Map<number, number>();
      for (const r of records) {
        if (maxMessages !== undefined && processed >= maxMessages) {
          if (!unprinted.has(r.partition)) unprinted.set(r.partition, r.offset);
          continue;
        }
        chunk += formatRecord(r, format);
        processed += 1;
      }
      // What was fetched but not printed is not consumed: the group's commit on close stops before it.
      for (const [p, offset] of unprinted) consumer.seek({ topic, partition: p }, offset);
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // A group member commits what it printed (with auto-commit) and leaves the group.
    await consumer.close();
  }
  err.write(`Processed a total of ${processed} messages\n`);
  return 0;
}

export const consumeCommand: CliCommand = {
  name: 'consume',
  options: OPTIONS,
  help: {
    summary: 'Print the records of a topic, as kafka-console-consumer.sh does; "Processed a total of N messages" on stderr at the end.',
    usage: [
      'consume --bootstrap-server H:P --topic T [--group G] [--from-beginning] [--max-messages N] [--timeout-ms N] [--property k=v ...] [--consumer-property k=v ...]',
      'consume --bootstrap-server H:P --topic T --partition N [--offset earliest|latest|N | --from-beginning] [--max-messages N] [--timeout-ms N] [--property k=v ...] [--consumer-property k=v ...]',
    ],
    options: [
      BOOTSTRAP_SERVER,
      ['--topic T', 'the topic to read'],
      ['--group G', "join consumer group G: resume from its committed offsets and commit what is printed (default: a throwaway console-consumer-NNNNN group that commits nothing)"],
      ['--from-beginning', 'where the group has no committed offset (or with --partition), start at the log start (default: at the end, new records only)'],
      ['--partition N', 'read this partition only, without a group'],
      ['--offset O', 'with --partition: earliest, latest or an offset'],
      ['--max-messages N', 'stop after N records'],
      ['--timeout-ms N', 'stop after N ms without a record'],
      ['--property k=v', 'output: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers (true or false), key.separator, line.separator, headers.separator, null.literal (repeatable)'],
      ['--consumer-property k=v', 'a client setting, e.g. fetch.max.wait.ms=100 (repeatable)'],
    ],
  },
  run: (argv) => runConsume(argv),
};
