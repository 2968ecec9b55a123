// `strait broker --config FILE`: one node, run by broker/broker-process.ts until a signal stops it.
import { runBrokerProcess } from '../../broker/index.js';
import { parseCommand, requiredString } from '../cli-args.js';
import type { CliCommand } from '../command.js';

const OPTIONS = {
  config: { type: 'string' },
} as const;

export const brokerCommand: CliCommand = {
  name: 'broker',
  options: OPTIONS,
  help: {
    summary: 'Run one node (broker, controller or both, per process.roles) until SIGTERM or Ctrl-C.',
    usage: ['broker --config FILE'],
    options: [['--config FILE', "the node's config: Java .properties or YAML, with Kafka's key names"]],
    notes: ['Every key is listed in README.md, "Configuration reference". A bad value stops start-up naming the key and line.'],
  },
  run: async (argv) => {
    const { values } = parseCommand(argv, OPTIONS);
    return runBrokerProcess(requiredString(values, 'config'));
  },
};
