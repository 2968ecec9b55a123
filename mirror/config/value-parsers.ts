// Turns the text of one mirror setting into its value, as MM2's ConfigDef types read it (a LIST is
// split at commas and trimmed, a BOOLEAN is true/false in any case, a LONG is decimal), with the
// ranges MM2 documents or that Node needs. A value that cannot be used throws ValueProblem, which
// the config reader turns into a MirrorConfigError naming the file, the line and the key.

export class ValueProblem extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'ValueProblem';
  }
}

/** The longest timer Node keeps (setTimeout fires at once beyond 2^31-1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** MM2's LIST: items split at commas, blanks around them dropped, empty items dropped. */
export function parseList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

export function parseBoolean(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValueProblem(`"${value.trim()}" is not true or false`);
}

export function parseInteger(value: string, min: number, max: number): number {
  const v = value.trim();
  if (!/^[+-]?\d+$/.test(v)) throw new ValueProblem(`"${v}" is not an integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new ValueProblem(`${v} is too large`);
  if (n < min) throw new ValueProblem(`${v} is below the minimum ${min}`);
  if (n > max) throw new ValueProblem(`${v} is above the maximum ${max}`);
  return n;
}

/** An interval MM2 gives in whole seconds (`*.interval.seconds`), as milliseconds. MM2 reads a
 * negative interval as "off"; here `*.enabled = false` says that, and an interval is at least 1 s. */
export function parseIntervalSeconds(value: string): number {
  return parseInteger(value, 1, Math.floor(MAX_TIMER_MS / 1000)) * 1000;
}

export function parseMilliseconds(value: string): number {
  return parseInteger(value, 1, MAX_TIMER_MS);
}

/** A topic's replication factor: -1 (the target broker's default.replication.factor) or 1..32767. */
export function parseReplicationFactor(value: string): number {
  const n = parseInteger(value, -1, 32_767);
  if (n === 0) throw new ValueProblem('0 is not a replication factor (-1 for the broker default, or 1 to 32767)');
  return n;
}

export function parseOneOf<T extends string>(value: string, allowed: readonly T[]): T {
  const v = value.trim();
  if (!(allowed as readonly string[]).includes(v)) throw new ValueProblem(`"${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

/**
 * MM2's regex lists (topics, groups, their excludes, config.properties.exclude): each item a Java
 * regex that must match the whole name (Pattern.matches). An empty list matches nothing, as in MM2.
 * A leading `(?i)` (Java's inline flag, which JavaScript lacks) becomes the `i` flag.
 */
export function parseRegexList(value: string): RegExp[] {
  return parseList(value).map((item) => {
    const caseless = item.startsWith('(?i)');
    const body = caseless ? item.slice(4) : item;
    try {
      return new RegExp(`^(?:${body})$`, caseless ? 'i' : '');
    } catch (err) {
      throw new ValueProblem(`"${item}" is not a valid regular expression (${(err as Error).message})`);
    }
  });
}

/** Characters of a topic name (DESIGN §12); a separator becomes part of remote topic names. */
const HEARTBEATS_TOPIC = 'heartbeats';
const TOPIC_CHARS = /^[A-Za-z0-9._-]+$/;

export function parseSeparator(value: string): string {
  // Not trimmed: MM2 takes the separator as written. Blanks are not topic-name characters anyway.
  if (value === '') throw new ValueProblem('is empty: remote topic names need a separator between the source alias and the topic');
  if (!TOPIC_CHARS.test(value)) throw new ValueProblem(`"${value}" has characters a topic name cannot hold (only [A-Za-z0-9._-])`);
  // `A<sep>heartbeats` must lead back to `heartbeats` for upstream clusters to be found (MM2 does
  // not check this; a separator such as "a" silently breaks it).
  if (HEARTBEATS_TOPIC.includes(value)) throw new ValueProblem(`"${value}" occurs in "${HEARTBEATS_TOPIC}", so heartbeats from upstream clusters could not be traced`);
  return value;
}

export type ReplicationPolicyName = 'default' | 'identity';

const POLICY_CLASSES: Readonly<Record<string, ReplicationPolicyName>> = {
  'org.apache.kafka.connect.mirror.DefaultReplicationPolicy': 'default',
  'DefaultReplicationPolicy': 'default',
  'default': 'default',
  'org.apache.kafka.connect.mirror.IdentityReplicationPolicy': 'identity',
  'IdentityReplicationPolicy': 'identity',
  'identity': 'identity',
};

export function parsePolicyClass(value: string): ReplicationPolicyName {
  const name = POLICY_CLASSES[value.trim()];
  if (name === undefined) {
    throw new ValueProblem(`"${value.trim()}" is not a replication policy Strait has: DefaultReplicationPolicy or IdentityReplicationPolicy `
      + '(MM2\'s class names or these short ones; a custom class cannot be loaded)');
  }
  return name;
}
