// `strait consume`: kafka-console-consumer. Without --partition it reads every partition of the
// topic; --from-beginning starts at the log start, otherwise at the end. Output follows Kafka's
// DefaultMessageFormatter: [CreateTime:ts] [Partition:p] [Offset:o] [headers] [key] value.
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

export async function runConsume(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const topic = requiredString(values, 'topic');
  if (stringOption(values, 'group') !== undefined) {
    throw new UsageError('--group: consumer groups are not available in this version; read with --partition/--offset or --from-beginning');
  }
  const format = parseRecordFormat(keyValueOptions(values, 'property'));
  const bootstrap = requiredString(values, 'bootstrap-server');
  const partition = intOption(values, 'partition', 0);
  const offsetArg = stringOption(values, 'offset');
  if (offsetArg !== undefined && partition === undefined) throw new UsageError('--offset requires --partition');
  if (offsetArg !== undefined && flag(values, 'from-beginning')) throw new UsageError('--offset and --from-beginning cannot be used together');
  const maxMessages = intOption(values, 'max-messages', 1);
  const timeoutMs = intOption(values, 'timeout-ms', 1);

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

  const options: ConsumerOptions = { 'bootstrap.servers': bootstrap, 'auto.offset.reset': 'earliest', ...keyValueOptions(values, 'consumer-property') };
  const consumer = new Consumer(options);
  let processed = 0;
  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    consumer.assign(partitions);
    if (offsetArg === undefined) {
      if (flag(values, 'from-beginning')) await consumer.seekToBeginning(partitions);
      else await consumer.seekToEnd(partitions);
    } else if (offsetArg === 'earliest') await consumer.seekToBeginning(partitions);
    else if (offsetArg === 'latest') await consumer.seekToEnd(partitions);
    else if (/^\d+$/.test(offsetArg)) consumer.seek(partitions[0]!, Number(offsetArg));
    else throw new UsageError(`--offset must be earliest, latest or a non-negative integer, got '${offsetArg}'`);

    let idleSince = Date.now();
    while (!stopping && (maxMessages === undefined || processed < maxMessages)) {
      const records = await consumer.poll(200);
      if (records.length === 0) {
        if (timeoutMs !== undefined && Date.now() - idleSince >= timeoutMs) break;
        continue;
      }
      idleSince = Date.now();
      let chunk = '';
      for (const r of records) {
        if (maxMessages !== undefined && processed >= maxMessages) break;
        chunk += formatRecord(r, format);
        processed += 1;
      }
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
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
    usage: ['consume --bootstrap-server H:P --topic T [--from-beginning] [--partition N [--offset earliest|latest|N]] [--max-messages N] [--timeout-ms N] [--property k=v ...] [--consumer-property k=v ...]'],
    options: [
      BOOTSTRAP_SERVER,
      ['--topic T', 'the topic to read'],
      ['--from-beginning', 'start at the log start (default: at the end, new records only)'],
      ['--partition N', 'read this partition only (default: every partition)'],
      ['--offset O', 'with --partition: earliest, latest or an offset'],
      ['--max-messages N', 'stop after N records'],
      ['--timeout-ms N', 'stop after N ms without a record'],
      ['--group G', 'refused for now: consumer groups are not available yet'],
      ['--property k=v', 'output: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers (true or false), key.separator, line.separator, headers.separator, null.literal (repeatable)'],
      ['--consumer-property k=v', 'a client setting, e.g. fetch.max.wait.ms=100 (repeatable)'],
    ],
  },
  run: (argv) => runConsume(argv),
};
