// `strait mirror <subcommand>`: the mirror's commands in one table. Each subcommand parses its own
// options and has its own --help.
import { InfoRequest, UsageError } from '../cli-args.js';
import { formatHelp, type CliCommand } from '../command.js';
import { mirrorFailbackCommand, mirrorFailoverCommand } from './mirror-failover.js';
import { mirrorStatusCommand } from './mirror-status.js';

export const MIRROR_SUBCOMMANDS: readonly CliCommand[] = [mirrorStatusCommand, mirrorFailoverCommand, mirrorFailbackCommand];

export const mirrorCommand: CliCommand = {
  name: 'mirror',
  options: {},
  help: {
    summary: 'MirrorMaker 2\'s model: the status of a config\'s flows, failover and failback of consumer groups.',
    usage: MIRROR_SUBCOMMANDS.flatMap((c) => c.help.usage),
    options: [],
    notes: MIRROR_SUBCOMMANDS.map((c) => `${c.name}: ${c.help.summary}`).concat(['strait mirror <subcommand> --help shows its options.']),
  },
  run: async (argv) => {
    const [name, ...rest] = argv;
    if (name === '--help' || name === '-h') throw new InfoRequest('help');
    if (name === undefined) throw new UsageError(`a subcommand is needed: ${MIRROR_SUBCOMMANDS.map((c) => c.name).join(', ')} (strait mirror --help)`);
    if (name === '--version') throw new InfoRequest('version');
    const sub = MIRROR_SUBCOMMANDS.find((c) => c.name === name);
    if (!sub) throw new UsageError(`unknown subcommand '${name}' (${MIRROR_SUBCOMMANDS.map((c) => c.name).join(', ')})`);
    try {
      return await sub.run(rest);
    } catch (err) {
      // The subcommand's own help, not the table's.
      if (err instanceof InfoRequest && err.kind === 'help') {
        process.stdout.write(formatHelp(sub.help));
        return 0;
      }
      throw err;
    }
  },
};
