// `strait mirror`: with no subcommand, runs one mirror worker (`strait mirror --config F [--clusters B]
// [--metrics-port N]`, MM2's connect-mirror-maker.sh); the subcommands in MIRROR_SUBCOMMANDS
// (`status`, `failover`, `failback`) each live in their own file and are dispatched by their first
// word, with their own --help.
import { runMirrorProcess } from '../../mirror/index.js';
import { formatHelp, type CliCommand } from '../command.js';
import { InfoRequest, intOption, parseCommand, requiredString, stringOption } from '../cli-args.js';

/** `strait mirror <name> ...`: the mirror's other commands, by their first word. */
export const MIRROR_SUBCOMMANDS: readonly CliCommand[] = [];

const OPTIONS = {
  config: { type: 'string' },
  clusters: { type: 'string', multiple: true },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
} as const;

/** `--clusters B --clusters C` or `--clusters B,C`. */
function clusterList(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

async function runSubcommand(sub: CliCommand, argv: string[]): Promise<number> {
  try {
    return await sub.run(argv);
  } catch (err) {
    if (err instanceof InfoRequest && err.kind === 'help') {
      process.stdout.write(formatHelp(sub.help));
      return 0;
    }
    throw err;
  }
}

export const mirrorCommand: CliCommand = {
  name: 'mirror',
  options: OPTIONS,
  help: {
    summary: 'Run a MirrorMaker 2-compatible mirror worker (every enabled flow of an mm2.properties or mirror.yaml) until SIGTERM or Ctrl-C.',
    usage: ['mirror --config FILE [--clusters ALIAS[,ALIAS]] [--metrics-port N]', ...MIRROR_SUBCOMMANDS.flatMap((s) => s.help.usage.map((u) => `mirror ${u}`))],
    options: [
      ['--config FILE', "MirrorMaker 2's mm2.properties keys, or the same model in YAML (mirror/README.md lists every key)"],
      ['--clusters ALIAS', 'run only the flows into these target clusters (MM2\'s --clusters); repeat or separate with commas'],
      ['--metrics-port N', 'serve /metrics, /healthz and /readyz on this port (0: any free one, logged as "mirror metrics listening"); default: none'],
      ['--metrics-host H', 'the address the metrics endpoint binds (default 127.0.0.1)'],
    ],
    notes: [
      'Several workers with the same config share each flow\'s partitions through the target cluster\'s group strait-mirror.<source>-><target>.',
      'SIGTERM drains: batches in flight are acknowledged and source positions written before the worker leaves its groups.',
      ...MIRROR_SUBCOMMANDS.map((s) => `strait mirror ${s.name}: ${s.help.summary}`),
    ],
  },
  run: async (argv) => {
    const sub = MIRROR_SUBCOMMANDS.find((s) => s.name === argv[0]);
    if (sub) return runSubcommand(sub, argv.slice(1));
    const { values } = parseCommand(argv, OPTIONS);
    const configFile = requiredString(values, 'config');
    const metricsPort = intOption(values, 'metrics-port', 0);
    const metricsHost = stringOption(values, 'metrics-host');
    return runMirrorProcess({ configFile, clusters: clusterList(values['clusters']), metricsPort, ...(metricsHost !== undefined ? { metricsHost } : {}) });
  },
};
