#!/usr/bin/env node
// `strait <command> [options]`: finds the command, runs it, prints its help or the version when asked
// (`--help`/`-h`, `--version`, on stdout, exit 0), turns its errors into one line on stderr and a
// non-zero exit, and ends the process only once its output is written (see exitAfterOutput).
import { AdminOperationError, StraitError } from '../client/index.js';
import { InfoRequest, UsageError } from './cli-args.js';
import { formatHelp, type CliCommand } from './command.js';
import { COMMANDS } from './commands/index.js';
import { straitVersion } from './version.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const alias = (c: CliCommand): string => (c.aliases && c.aliases.length > 0 ? ` (alias: ${c.aliases.join(', ')})` : '');
  return [
    'usage: strait <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.help.summary}${alias(c)}`),
    '',
    "strait <command> --help shows a command's options; strait --version shows the version.",
    '',
  ].join('\n');
}

/** Answers --help / --version, or runs the command and reports its errors; resolves with the exit code. */
async function runCommand(command: CliCommand, argv: string[]): Promise<number> {
  try {
    return await command.run(argv);
  } catch (err) {
    if (err instanceof InfoRequest) {
      process.stdout.write(err.kind === 'help' ? formatHelp(command.help) : `${straitVersion()}\n`);
      return 0;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`strait ${command.name}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof AdminOperationError && err.failures.length === 1) {
      const { error } = err.failures[0]!;
      process.stderr.write(`strait ${command.name}: ${error.name}: ${error.message}\n`);
      return 1;
    }
    if (err instanceof StraitError) {
      // One line: Kafka's error name and the server's message.
      process.stderr.write(`strait ${command.name}: ${err.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(overview());
    return 0;
  }
  if (name === '--version') {
    process.stdout.write(`${straitVersion()}\n`);
    return 0;
  }
  if (name === undefined) {
    process.stderr.write(overview());
    return 1;
  }
  const command = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command) {
    process.stderr.write(`strait: unknown command '${name}'\n${overview()}`);
    return 1;
  }
  return runCommand(command, rest);
}

/** Resolves once what was written to the stream so far has been handed to the OS (or failed). */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * process.exit() does not wait for stdout: when a program reads the pipe more slowly than the command
 * writes (execFile, spawnSync, `| less`), a long listing was cut short with exit code 0. So wait until
 * stdout and stderr have taken everything, then exit. Exiting explicitly (rather than letting the
 * event loop run dry) keeps a handle left open somewhere from holding the command up; the commands
 * still close their clients.
 */
async function exitAfterOutput(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}

// A reader that stops reading (`strait topics --list | head -1`) is not the command's failure: stop
// quietly, as the command's output has nowhere to go.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`strait: cannot write to stdout: ${err.message}\n`);
  process.exit(1);
});

void main(process.argv.slice(2)).then(
  (code) => exitAfterOutput(code),
  (err: unknown) => {
    process.stderr.write(`strait: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitAfterOutput(1);
  },
);
