// Argument parsing with the Kafka console tools' habits: `--bootstrap-server H:P`, repeatable
// `--property k=v` and `--config k=v`, action flags such as `--create`, `--help` and `--version` on
// every command. Built on node:util's parseArgs (strict: an unknown flag is an error naming it).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage mistake: printed as one line on stderr, exit code 1, nothing done. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--help` / `-h` or `--version` was given: the caller prints that instead of running the command. */
export class InfoRequest extends Error {
  override readonly name = 'InfoRequest';
  constructor(readonly kind: 'help' | 'version') {
    super(`--${kind}`);
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** The declared option an argument names (`--name` or `-x`, without an inline value), if any. */
function optionNamed(arg: string, options: OptionSpec): string | undefined {
  if (/^--[^=]+$/.test(arg)) {
    const name = arg.slice(2);
    return Object.hasOwn(options, name) ? name : undefined;
  }
  if (/^-[^-]$/.test(arg)) return Object.entries(options).find(([, o]) => o.short === arg[1])?.[0];
  return undefined;
}

/**
 * parseArgs refuses `--opt -x` ("ambiguous": it cannot tell a value from a forgotten one), but a value
 * can start with '-' (a cluster id made by an older tool, a negative offset): an option declared as
 * taking a string takes the next argument as its value, whatever it looks like, as Kafka's tools do.
 * Folds each such pair into `--opt=-x`, which parseArgs reads as intended. `--` still ends the options.
 */
export function foldDashValues(argv: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = optionNamed(arg, options);
    const next = argv[i + 1];
    if (name !== undefined && options[name]!.type === 'string' && next !== undefined && next.startsWith('-') && next !== '--') {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Parses a command's arguments. `--help`/`-h` or `--version` anywhere an option may stand (not as
 * another option's value) throws InfoRequest before anything is checked, so they answer even next to
 * a mistake, and nothing of the command runs.
 */
export function parseCommand(argv: string[], options: OptionSpec, allowPositionals = false): ParsedCommand {
  const args = foldDashValues(argv, options);
  const end = args.indexOf('--');
  const flags = end < 0 ? args : args.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) throw new InfoRequest('help');
  if (flags.includes('--version')) throw new InfoRequest('version');
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: values as ParsedCommand['values'], positionals };
  } catch (err) {
    // parseArgs explains over several lines; a usage error is one line on stderr.
    throw new UsageError((err as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).join(' '));
  }
}

export function stringOption(values: ParsedCommand['values'], name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} takes a value`);
  return v;
}

export function requiredString(values: ParsedCommand['values'], name: string): string {
  const v = stringOption(values, name);
  if (v === undefined || v.length === 0) throw new UsageError(`Missing required argument --${name}`);
  return v;
}

export function intOption(values: ParsedCommand['values'], name: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} must be an integer, got '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export function flag(values: ParsedCommand['values'], name: string): boolean {
  return values[name] === true;
}

/** Collects repeated `k=v` options (`--config`, `--property`, ...) into a map; a value may contain '='. */
export function keyValueOptions(values: ParsedCommand['values'], name: string): Record<string, string> {
  const raw = values[name];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: Record<string, string> = {};
  for (const item of list) {
    if (typeof item !== 'string') throw new UsageError(`--${name} takes key=value`);
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${name} expects key=value, got '${item}'`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

/** Exactly one of the action flags must be present (as kafka-topics insists). */
export function oneAction<A extends string>(values: ParsedCommand['values'], actions: readonly A[]): A {
  const given = actions.filter((a) => values[a] === true);
  if (given.length !== 1) {
    throw new UsageError(`Command must include exactly one action: ${actions.map((a) => `--${a}`).join(', ')}`);
  }
  return given[0]!;
}

/** Kafka's console tools' boolean property spelling. */
export function booleanProperty(props: Record<string, string>, name: string, fallback: boolean): boolean {
  const v = props[name];
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new UsageError(`Property ${name} must be true or false, got '${v}'`);
}

/** Unescapes \t, \n, \\ as the console producer does for key.separator and friends. */
export function unescapeSeparator(s: string): string {
  return s.replace(/\\(t|n|r|\\)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c);
}
