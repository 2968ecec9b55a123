// `strait configs`: kafka-configs.sh for topics and brokers (--describe, --alter with
// --add-config k=v,k2=v2 and --delete-config k,k2). A broker's dynamic configs (the replication
// throttle rates) are altered per broker id or, with --entity-default, for the cluster default.
import { Admin, ConfigSource, type ConfigResourceKind } from '../../client/index.js';
import { flag, oneAction, parseCommand, requiredString, stringOption, UsageError } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  'entity-type': { type: 'string' },
  'entity-name': { type: 'string' },
  'entity-default': { type: 'boolean' },
  topic: { type: 'string' },
  broker: { type: 'string' },
  describe: { type: 'boolean' },
  alter: { type: 'boolean' },
  'add-config': { type: 'string', multiple: true },
  'delete-config': { type: 'string', multiple: true },
  all: { type: 'boolean' },
} as const;

const SOURCE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ConfigSource).map(([name, n]) => [n, name]));

/** Splits kafka-configs' `k=v,k2=[a,b]` syntax: commas inside [...] belong to the value. */
export function parseAddConfig(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    let depth = 0;
    let start = 0;
    const parts: string[] = [];
    for (let i = 0; i <= item.length; i++) {
      const c = item[i];
      if (c === '[') depth += 1;
      else if (c === ']') depth -= 1;
      else if ((c === ',' && depth === 0) || i === item.length) {
        parts.push(item.slice(start, i));
        start = i + 1;
      }
    }
    for (const part of parts) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`--add-config expects k=v[,k2=v2], got '${part}'`);
      let value = part.slice(eq + 1);
      if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
      out[part.slice(0, eq).trim()] = value;
    }
  }
  return out;
}

function entity(values: Record<string, unknown>): { type: ConfigResourceKind; name: string; label: string } {
  const topic = stringOption(values as never, 'topic');
  const broker = stringOption(values as never, 'broker');
  if (topic !== undefined) return { type: 'topic', name: topic, label: `topic ${topic}` };
  if (broker !== undefined) return { type: 'broker', name: broker, label: `broker ${broker}` };
  const typeName = requiredString(values as never, 'entity-type');
  if (values['entity-default'] === true) {
    if (typeName !== 'brokers') throw new UsageError('--entity-default goes with --entity-type brokers');
    if (values['entity-name'] !== undefined) throw new UsageError('--entity-name and --entity-default exclude each other');
    return { type: 'broker', name: '', label: 'the default broker' };
  }
  const name = requiredString(values as never, 'entity-name');
  if (typeName === 'topics') return { type: 'topic', name, label: `topic ${name}` };
  if (typeName === 'brokers') return { type: 'broker', name, label: `broker ${name}` };
  throw new UsageError(`--entity-type must be topics or brokers, got '${typeName}'`);
}

export async function runConfigs(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const action = oneAction(values, ['describe', 'alter'] as const);
  const target = entity(values);
  const admin = new Admin({ 'bootstrap.servers': requiredString(values, 'bootstrap-server') });
  try {
    if (action === 'describe') {
      const all = flag(values, 'all');
      const entries = (await admin.describeConfigs({ type: target.type, name: target.name })).filter(
        (c) => all || c.source === ConfigSource.DYNAMIC_TOPIC_CONFIG || c.source === ConfigSource.DYNAMIC_BROKER_CONFIG
          || c.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      );
      out.write(`${all ? 'All' : 'Dynamic'} configs for ${target.label} are:\n`);
      for (const c of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const value = c.isSensitive ? 'null' : (c.value ?? 'null');
        out.write(`  ${c.name}=${value} sensitive=${c.isSensitive} synonyms={${SOURCE_NAMES[c.source] ?? 'UNKNOWN'}:${c.name}=${value}}\n`);
      }
      return 0;
    }
    const adds = parseAddConfig((values['add-config'] as string[] | undefined) ?? []);
    const deletes = ((values['delete-config'] as string[] | undefined) ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    if (Object.keys(adds).length === 0 && deletes.length === 0) throw new UsageError('--alter needs --add-config or --delete-config');
    const overlap = deletes.filter((k) => k in adds);
    if (overlap.length > 0) throw new UsageError(`A config cannot be both added and deleted: ${overlap.join(', ')}`);
    await admin.incrementalAlterConfigs([
      {
        type: target.type,
        name: target.name,
        changes: [
          ...Object.entries(adds).map(([name, value]) => ({ name, op: 'set' as const, value })),
          ...deletes.map((name) => ({ name, op: 'delete' as const })),
        ],
      },
    ]);
    out.write(`Completed updating config for ${target.label}.\n`);
    return 0;
  } finally {
    await admin.close();
  }
}

export const configsCommand: CliCommand = {
  name: 'configs',
  options: OPTIONS,
  help: {
    summary: 'Describe and change the configs of topics and brokers, as kafka-configs.sh does.',
    usage: [
      'configs --bootstrap-server H:P --entity-type topics|brokers --entity-name N --describe [--all]',
      'configs --bootstrap-server H:P --entity-type topics --entity-name N --alter [--add-config k=v,k2=[a,b]] [--delete-config k,k2]',
      'configs --bootstrap-server H:P --entity-type brokers (--entity-name ID | --entity-default) --alter [--add-config k=v] [--delete-config k]',
    ],
    options: [
      BOOTSTRAP_SERVER,
      ['--entity-type TYPE', 'topics or brokers'],
      ['--entity-name N', 'the topic name or the broker id'],
      ['--entity-default', 'brokers: the cluster-wide default of the dynamic broker configs'],
      ['--topic T', 'short for --entity-type topics --entity-name T'],
      ['--broker ID', 'short for --entity-type brokers --entity-name ID'],
      ['--describe', 'print the configs set on the entity'],
      ['--all', 'with --describe: every config, defaults included'],
      ['--alter', 'change configs (a broker\'s: only leader.replication.throttled.rate and follower.replication.throttled.rate change at runtime)'],
      ['--add-config k=v,...', 'configs to set; commas inside [brackets] belong to the value (repeatable)'],
      ['--delete-config k,...', 'configs to remove, so that their defaults apply (repeatable)'],
    ],
  },
  run: (argv) => runConfigs(argv),
};
