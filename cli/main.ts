#!/usr/bin/env node
// `strait <command> [options]`: a small dispatcher; each command parses its own arguments.
import { parseCommand, requiredString, UsageError } from './cli-args.js';
import { runBrokerProcess } from '../broker/index.js';
import { AdminOperationError, StraitError } from '../client/index.js';
import { CLUSTER_USAGE, runCluster } from './commands/cluster.js';
import { CONFIGS_USAGE, runConfigs } from './commands/configs.js';
import { CONSUME_USAGE, runConsume } from './commands/consume.js';
import { DEMO_USAGE, runDemo } from './commands/demo.js';
import { PRODUCE_USAGE, runProduce } from './commands/produce.js';
import { runStorage, STORAGE_USAGE } from './commands/storage.js';
import { runTopics, TOPICS_USAGE } from './commands/topics.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; run: Command }> = {
  broker: {
    summary: 'broker --config FILE       run one broker node (.properties or .yaml)',
    run: async (argv) => {
      const { values } = parseCommand(argv, { config: { type: 'string' } });
      return runBrokerProcess(requiredString(values, 'config'));
    },
  },
  topics: { summary: TOPICS_USAGE, run: (argv) => runTopics(argv) },
  produce: { summary: PRODUCE_USAGE, run: (argv) => runProduce(argv) },
  consume: { summary: CONSUME_USAGE, run: (argv) => runConsume(argv) },
  configs: { summary: CONFIGS_USAGE, run: (argv) => runConfigs(argv) },
  demo: { summary: DEMO_USAGE, run: (argv) => runDemo(argv) },
  cluster: { summary: CLUSTER_USAGE, run: (argv) => runCluster(argv) },
  storage: { summary: STORAGE_USAGE, run: (argv) => runStorage(argv) },
};

function usage(): string {
  return ['usage: strait <command> [options]', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`strait: unknown command '${name}'\n${usage()}\n`);
    return 1;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`strait ${name}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof AdminOperationError && err.failures.length === 1) {
      const { error } = err.failures[0]!;
      process.stderr.write(`strait ${name}: ${error.name}: ${error.message}\n`);
      return 1;
    }
    if (err instanceof StraitError) {
      // One line: Kafka's error name and the server's message.
      process.stderr.write(`strait ${name}: ${err.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`strait: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
