// One `strait` command as main.ts dispatches it: its name, its help (what `strait <command> --help`
// prints, on stdout, exit 0), the options it parses and how it runs.
import type { OptionSpec } from './cli-args.js';

export interface CommandHelp {
  /** What the command does, one line (the list `strait --help` prints). */
  summary: string;
  /** Each form of the command, without the leading `strait `. */
  usage: readonly string[];
  /** Each option as typed, with the value it takes (`--topic T`), and what it means. */
  options: readonly (readonly [spelling: string, meaning: string])[];
  /** Lines after the options: defaults, examples, Kafka's equivalent. */
  notes?: readonly string[];
}

export interface CliCommand {
  readonly name: string;
  /** Other names it answers to (`groups` for `consumer-groups`). */
  readonly aliases?: readonly string[];
  readonly help: CommandHelp;
  /** What run() parses (parseCommand); the help lists every one of them. */
  readonly options: OptionSpec;
  /** Resolves with the exit code. */
  run(argv: string[]): Promise<number>;
}

/** Options every command answers before it parses anything else. */
export const COMMON_OPTIONS: readonly (readonly [string, string])[] = [
  ['-h, --help', 'print this help and exit'],
  ['--version', 'print the version of strait and exit'],
];

/** The help line of --bootstrap-server, the same in every client command. */
export const BOOTSTRAP_SERVER = ['--bootstrap-server H:P', 'a broker to connect to (several: H1:P1,H2:P2)'] as const;

/** What `strait <command> --help` prints. */
export function formatHelp(help: CommandHelp): string {
  const rows = [...help.options, ...COMMON_OPTIONS];
  const width = Math.min(32, Math.max(...rows.map(([spelling]) => spelling.length)));
  const lines = [
    ...help.usage.map((form, i) => `${i === 0 ? 'usage: ' : '       '}strait ${form}`),
    '',
    help.summary,
    '',
    'options:',
    ...rows.map(([spelling, meaning]) =>
      spelling.length > width ? `  ${spelling}\n  ${' '.repeat(width)}  ${meaning}` : `  ${spelling.padEnd(width)}  ${meaning}`),
  ];
  if (help.notes && help.notes.length > 0) lines.push('', ...help.notes);
  return lines.join('\n') + '\n';
}
