// `strait mirror failover|failback --config F --group G --from A --to B [--dry-run]`: commits on B the
// offsets at which G resumes there (mirror/failover.ts), and prints each partition's translation.
import pino from 'pino';
import { failover, type FailoverResult } from '../../mirror/index.js';
import { flag, intOption, parseCommand, requiredString } from '../cli-args.js';
import type { CliCommand } from '../command.js';
import { formatTable } from '../table.js';
import { readMirrorConfig } from './mirror-config-file.js';

const OPTIONS = {
  config: { type: 'string' },
  group: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'timeout-ms': { type: 'string' },
} as const;

export function formatFailover(result: FailoverResult): string {
  const lines = [
    result.fromReachable
      ? `group ${result.group}: ${result.from} -> ${result.to}, offsets read on ${result.from}`
      : `group ${result.group}: ${result.from} -> ${result.to}, ${result.from} does not answer (${result.fromError}): offsets from ${result.to}'s checkpoints`,
    formatTable(
      ['FROM-TOPIC', 'PARTITION', 'COMMITTED', 'TO-TOPIC', 'OFFSET', 'VIA'],
      result.translated.map((t) => [t.fromTopic, t.partition, t.committed, t.toTopic, t.offset, t.via]),
    ),
  ];
  if (result.untranslated.length > 0) {
    lines.push('not translated:', formatTable(['FROM-TOPIC', 'PARTITION', 'COMMITTED', 'REASON'], result.untranslated.map((u) => [u.fromTopic, u.partition, u.committed, u.reason])));
  }
  lines.push(result.committed
    ? `committed ${result.translated.length} offset(s) of group ${result.group} on ${result.to}`
    : `dry run: nothing committed on ${result.to}`);
  return lines.join('\n') + '\n';
}

function failoverCommandNamed(name: 'failover' | 'failback'): CliCommand {
  const direction = name === 'failover' ? 'from the cluster that failed (--from) to its replica (--to)' : 'back from the replica (--from) to the recovered cluster (--to)';
  return {
    name,
    options: OPTIONS,
    help: {
      summary: `Commit a group's translated offsets on another cluster so it resumes there with nothing missed, ${direction}.`,
      usage: [`mirror ${name} --config FILE --group G --from A --to B [--dry-run] [--timeout-ms N]`],
      options: [
        ['--config FILE', 'the mirror\'s mm2.properties or mirror.yaml'],
        ['--group G', 'the consumer group'],
        ['--from A', 'the cluster the group consumed from'],
        ['--to B', 'the cluster the group resumes on (it must have no active member there)'],
        ['--dry-run', 'print the translation, commit nothing'],
        ['--timeout-ms N', 'how long a cluster may take to answer before it counts as down (default 10000)'],
      ],
      notes: [
        'Topics the flow A->B mirrors are translated with its offset syncs when A answers, else taken from B\'s',
        'A.checkpoints.internal; topics that came from B (B.x on A) are translated back with B->A\'s offset syncs.',
        `failover and failback are the same operation; the names say which way you are going.`,
      ],
    },
    run: async (argv) => {
      const { values } = parseCommand(argv, OPTIONS);
      const config = readMirrorConfig(requiredString(values, 'config'));
      const timeoutMs = intOption(values, 'timeout-ms', 1);
      const result = await failover(config, {
        group: requiredString(values, 'group'),
        from: requiredString(values, 'from'),
        to: requiredString(values, 'to'),
        dryRun: flag(values, 'dry-run'),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      }, pino({ level: 'silent' }));
      process.stdout.write(formatFailover(result));
      return 0;
    },
  };
}

export const mirrorFailoverCommand = failoverCommandNamed('failover');
export const mirrorFailbackCommand = failoverCommandNamed('failback');
