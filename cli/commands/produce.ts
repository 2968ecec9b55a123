// `strait produce`: kafka-console-producer. One record per stdin line; with parse.key=true the part
// before key.separator is the key. Errors are reported per record, as the console producer does,
// and make the exit code non-zero.
import { createInterface } from 'node:readline';
import { Producer, type ProducerOptions } from '../../client/index.js';
import { booleanProperty, keyValueOptions, parseCommand, requiredString, stringOption, unescapeSeparator, UsageError } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  topic: { type: 'string' },
  property: { type: 'string', multiple: true },
  'producer-property': { type: 'string', multiple: true },
  'compression-codec': { type: 'string' },
  'request-required-acks': { type: 'string' },
  sync: { type: 'boolean' },
} as const;

const READER_PROPERTIES = new Set(['parse.key', 'key.separator', 'ignore.error', 'null.marker']);

export async function runProduce(
  argv: string[],
  input: NodeJS.ReadableStream = process.stdin,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const topic = requiredString(values, 'topic');
  const props = keyValueOptions(values, 'property');
  for (const key of Object.keys(props)) {
    if (!READER_PROPERTIES.has(key)) throw new UsageError(`Unknown --property ${key} (known: ${[...READER_PROPERTIES].join(', ')})`);
  }
  const parseKey = booleanProperty(props, 'parse.key', false);
  const separator = unescapeSeparator(props['key.separator'] ?? '\t');
  if (separator.length === 0) throw new UsageError('key.separator must not be empty');
  const ignoreError = booleanProperty(props, 'ignore.error', false);
  const nullMarker = props['null.marker'];

  const options: ProducerOptions = {
    'bootstrap.servers': requiredString(values, 'bootstrap-server'),
    'linger.ms': 5,
    ...keyValueOptions(values, 'producer-property'),
  };
  const codec = stringOption(values, 'compression-codec');
  if (codec !== undefined) options['compression.type'] = codec;
  const acks = stringOption(values, 'request-required-acks');
  if (acks !== undefined) {
    if (acks !== 'all' && acks !== '-1' && acks !== '0' && acks !== '1') throw new UsageError(`--request-required-acks must be all, -1, 0 or 1, got '${acks}'`);
    options.acks = acks;
  }
  const sync = values.sync === true;

  const producer = new Producer(options);
  let failures = 0;
  let lineNo = 0;
  const pending = new Set<Promise<unknown>>();
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNo += 1;
      let key: string | null = null;
      let value: string | null = line;
      if (parseKey) {
        const at = line.indexOf(separator);
        if (at < 0) {
          const msg = `No key separator found on line number ${lineNo}: '${line}'`;
          if (!ignoreError) throw new UsageError(msg);
          err.write(`${msg}\n`);
          failures += 1;
          continue;
        }
        key = line.slice(0, at);
        value = line.slice(at + separator.length);
        if (nullMarker !== undefined && key === nullMarker) key = null;
      }
      if (nullMarker !== undefined && value === nullMarker) value = null;
      const sent = producer.send(topic, { key, value }).then(
        () => undefined,
        (e: Error) => {
          failures += 1;
          err.write(`ERROR when sending message to topic ${topic} with key: ${key === null ? 'null' : `${Buffer.byteLength(key)} bytes`}, value: ${value === null ? 'null' : `${Buffer.byteLength(value)} bytes`} with error: ${e.name}: ${e.message}\n`);
        },
      );
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
      if (sync) await sent;
    }
    await producer.flush();
    await Promise.all(pending);
  } finally {
    await producer.close();
  }
  return failures === 0 ? 0 : 1;
}

export const produceCommand: CliCommand = {
  name: 'produce',
  options: OPTIONS,
  help: {
    summary: 'Send one record per line of stdin, as kafka-console-producer.sh does; the exit code is non-zero if a record failed.',
    usage: ['produce --bootstrap-server H:P --topic T [--property k=v ...] [--producer-property k=v ...] [--compression-codec C] [--request-required-acks A] [--sync]'],
    options: [
      BOOTSTRAP_SERVER,
      ['--topic T', 'the topic to write to'],
      ['--property k=v', 'line reader: parse.key=true, key.separator=S (default tab), null.marker=X, ignore.error=true (repeatable)'],
      ['--producer-property k=v', 'a client setting, e.g. acks=all or linger.ms=10 (repeatable)'],
      ['--compression-codec C', 'none, gzip, snappy, lz4 or zstd'],
      ['--request-required-acks A', 'all, -1, 0 or 1'],
      ['--sync', 'wait for each record to be acknowledged before sending the next'],
    ],
  },
  run: (argv) => runProduce(argv),
};
