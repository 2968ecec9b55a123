// `strait consumer-groups` (alias `groups`): kafka-consumer-groups.sh's actions, flags, output and
// messages: --list, --describe (offsets, --members [--verbose], --state), --reset-offsets (dry run by
// default, --execute to commit; only while the group has no active members), --delete, and
// --delete-offsets.
import {
  Admin, AdminOperationError, EARLIEST_TIMESTAMP, ErrorCode, LATEST_TIMESTAMP, StraitError,
  type ConsumerGroupDescription, type TopicPartitionRef,
} from '../../client/index.js';
import { flag, intOption, oneAction, parseCommand, requiredString, stringOption, UsageError, type ParsedCommand } from '../cli-args.js';
import { BOOTSTRAP_SERVER, type CliCommand } from '../command.js';
import { formatDeletedOffsets, formatGroupStates, formatMembers, formatNewOffsets, formatOffsets, formatState, offsetRows } from '../group-output.js';
import { parseDateTime, parseDuration, parseTopicArg, planReset, scenarioNeeds, type PartitionOffsets, type ResetScenario } from '../offset-reset.js';

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  list: { type: 'boolean' },
  describe: { type: 'boolean' },
  delete: { type: 'boolean' },
  'reset-offsets': { type: 'boolean' },
  'delete-offsets': { type: 'boolean' },
  group: { type: 'string', multiple: true },
  'all-groups': { type: 'boolean' },
  members: { type: 'boolean' },
  verbose: { type: 'boolean' },
  state: { type: 'boolean' },
  offsets: { type: 'boolean' },
  topic: { type: 'string', multiple: true },
  'all-topics': { type: 'boolean' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-current': { type: 'boolean' },
  'to-offset': { type: 'string' },
  'shift-by': { type: 'string' },
  'to-datetime': { type: 'string' },
  'by-duration': { type: 'string' },
  'dry-run': { type: 'boolean' },
  execute: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

const ACTIONS = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'] as const;
const SCENARIOS = ['to-earliest', 'to-latest', 'to-current', 'to-offset', 'shift-by', 'to-datetime', 'by-duration'] as const;

const NO_EXECUTE_WARNING = 'WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.';

const key = (tp: TopicPartitionRef): string => `${tp.topic}\u0000${tp.partition}`;

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

function stringList(values: ParsedCommand['values'], name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** The one reset scenario given (Kafka refuses none or several). */
export function parseScenario(values: ParsedCommand['values'], now: () => number = Date.now): ResetScenario {
  const given = SCENARIOS.filter((s) => values[s] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(`Option '[reset-offsets]' requires exactly one of the following scenarios: ${SCENARIOS.map((s) => `--${s}`).join(', ')}`);
  }
  switch (given[0]!) {
    case 'to-earliest':
      return { kind: 'to-earliest' };
    case 'to-latest':
      return { kind: 'to-latest' };
    case 'to-current':
      return { kind: 'to-current' };
    case 'to-offset':
      return { kind: 'to-offset', offset: intOption(values, 'to-offset', 0)! };
    case 'shift-by':
      return { kind: 'shift-by', shift: intOption(values, 'shift-by')! };
    case 'to-datetime':
      return { kind: 'to-datetime', timestamp: parseDateTime(stringOption(values, 'to-datetime')!) };
    case 'by-duration':
      return { kind: 'by-duration', timestamp: now() - parseDuration(stringOption(values, 'by-duration')!) };
  }
}

/** Checks the flags that only some actions take, as kafka-consumer-groups.sh does. */
function checkCombination(action: (typeof ACTIONS)[number], values: ParsedCommand['values']): void {
  const has = (name: string): boolean => values[name] !== undefined && values[name] !== false;
  const groups = stringList(values, 'group');
  if (action === 'describe' || action === 'reset-offsets' || action === 'delete') {
    if (groups.length === 0 && !has('all-groups')) throw new UsageError(`Option [${action}] takes one of these options: [all-groups], [group]`);
    if (groups.length > 0 && has('all-groups')) throw new UsageError('Option [group] cannot be used with [all-groups]');
  }
  if (action === 'delete-offsets' && groups.length !== 1) throw new UsageError('Option [delete-offsets] takes exactly one [group]');
  if (action === 'delete-offsets' && stringList(values, 'topic').length === 0) throw new UsageError('Option [delete-offsets] takes at least one [topic]');
  const describeOnly = ['members', 'offsets', 'verbose'].filter(has);
  if (action !== 'describe' && describeOnly.length > 0) throw new UsageError(`Option [${describeOnly[0]}] is only valid with [describe]`);
  if (action !== 'describe' && action !== 'list' && has('state')) throw new UsageError('Option [state] is only valid with [describe] or [list]');
  if (action === 'describe' && ['members', 'offsets', 'state'].filter(has).length > 1) throw new UsageError('Option [describe] takes at most one of these options: [members], [offsets], [state]');
  if (has('verbose') && !has('members')) throw new UsageError('Option [verbose] is only valid with [describe] [members]');
  const resetOnly = ['all-topics', 'dry-run', 'execute', ...SCENARIOS].filter(has);
  if (action !== 'reset-offsets' && resetOnly.length > 0) throw new UsageError(`Option [${resetOnly[0]}] is only valid with [reset-offsets]`);
  if (action === 'reset-offsets') {
    if (has('dry-run') && has('execute')) throw new UsageError('Option [dry-run] cannot be used with [execute]');
    if (stringList(values, 'topic').length > 0 && has('all-topics')) throw new UsageError('Option [topic] cannot be used with [all-topics]');
    if (stringList(values, 'topic').length === 0 && !has('all-topics')) throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
  }
  if ((action === 'list' || action === 'delete') && stringList(values, 'topic').length > 0) throw new UsageError(`Option [topic] is not valid with [${action}]`);
}

export async function runConsumerGroups(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const action = oneAction(values, ACTIONS);
  checkCombination(action, values);
  const scenario = action === 'reset-offsets' ? parseScenario(values) : undefined;
  const timeoutMs = intOption(values, 'timeout', 1) ?? 5000;
  const admin = new Admin({ 'bootstrap.servers': requiredString(values, 'bootstrap-server'), 'default.api.timeout.ms': timeoutMs });
  try {
    const groups = flag(values, 'all-groups') ? (await admin.listGroups()).map((g) => g.groupId) : stringList(values, 'group');
    switch (action) {
      case 'list':
        return await list(admin, flag(values, 'state'), io);
      case 'describe':
        return await describe(admin, groups, flag(values, 'members') ? 'members' : flag(values, 'state') ? 'state' : 'offsets', flag(values, 'verbose'), io);
      case 'delete':
        return await deleteGroups(admin, groups, io);
      case 'reset-offsets':
        if (!flag(values, 'dry-run') && !flag(values, 'execute')) io.err.write(`${NO_EXECUTE_WARNING}\n`);
        return await resetOffsets(admin, groups, scenario!, stringList(values, 'topic'), flag(values, 'execute'), io);
      case 'delete-offsets':
        return await deleteOffsets(admin, groups[0]!, stringList(values, 'topic'), io);
    }
  } finally {
    await admin.close();
  }
}

async function list(admin: Admin, withState: boolean, io: Io): Promise<number> {
  const groups = await admin.listGroups();
  io.out.write(withState ? formatGroupStates(groups) : groups.map((g) => `${g.groupId}\n`).join(''));
  return 0;
}

/** The group's description, or undefined (after Kafka's message) when it does not exist. */
async function describeOne(admin: Admin, group: string): Promise<ConsumerGroupDescription | undefined> {
  try {
    return (await admin.describeGroups([group]))[0]!;
  } catch (err) {
    const cause = err instanceof AdminOperationError ? err.failures[0]!.error : err;
    if (cause instanceof StraitError && cause.code === ErrorCode.GROUP_ID_NOT_FOUND) return undefined;
    throw cause;
  }
}

/** Kafka's notes on a group's state before its table (shouldPrintMemberState). */
function stateNote(group: string, state: string, io: Io): void {
  if (state === 'Empty') io.err.write(`\nConsumer group '${group}' has no active members.\n`);
  else if (state !== 'Stable') io.err.write(`\nWarning: Consumer group '${group}' is rebalancing.\n`);
}

/** The log end offsets (high watermarks) of the partitions; a partition whose leader cannot say is left out. */
async function logEndOffsets(admin: Admin, tps: readonly TopicPartitionRef[]): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  if (tps.length === 0) return ends;
  try {
    const answers = await admin.listOffsets(tps.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })));
    answers.forEach((a) => ends.set(key(a), a.offset));
  } catch {
    // One partition that cannot answer (a deleted topic) must not hide the others' offsets.
    await Promise.all(tps.map(async (tp) => {
      const [a] = await admin.listOffsets([{ ...tp, timestamp: LATEST_TIMESTAMP }]).catch(() => [undefined]);
      if (a) ends.set(key(tp), a.offset);
    }));
  }
  return ends;
}

async function describe(admin: Admin, groups: readonly string[], what: 'offsets' | 'members' | 'state', verbose: boolean, io: Io): Promise<number> {
  let code = 0;
  for (const group of [...groups].sort()) {
    const d = await describeOne(admin, group);
    if (!d || d.state === 'Dead') {
      io.err.write(`\nError: Consumer group '${group}' does not exist.\n`);
      code = 1;
      continue;
    }
    if (what === 'state') {
      stateNote(group, d.state, io);
      io.out.write(formatState(d));
      continue;
    }
    if (what === 'members') {
      stateNote(group, d.state, io);
      if (d.members.length > 0) io.out.write(formatMembers(d, verbose));
      continue;
    }
    const committedList = await admin.listConsumerGroupOffsets(group);
    const committed = new Map(committedList.map((c) => [key(c), c.offset]));
    const partitions = new Map<string, TopicPartitionRef>();
    for (const m of d.members) for (const tp of m.assignment) partitions.set(key(tp), tp);
    for (const c of committedList) partitions.set(key(c), { topic: c.topic, partition: c.partition });
    const rows = offsetRows(d, committed, await logEndOffsets(admin, [...partitions.values()]));
    stateNote(group, d.state, io);
    if (rows.length > 0) io.out.write(formatOffsets(rows));
  }
  return code;
}

async function deleteGroups(admin: Admin, groups: readonly string[], io: Io): Promise<number> {
  const failed = new Map<string, StraitError>();
  try {
    await admin.deleteGroups(groups);
  } catch (err) {
    if (!(err instanceof AdminOperationError)) throw err;
    for (const f of err.failures) failed.set(f.item, f.error);
  }
  const deleted = groups.filter((g) => !failed.has(g));
  const quoted = (list: readonly string[]): string => list.map((g) => `'${g}'`).join(', ');
  if (failed.size === 0) {
    io.out.write(`Deletion of requested consumer groups (${quoted(deleted)}) was successful.\n`);
    return 0;
  }
  io.err.write('\nError: Deletion of some consumer groups failed:\n');
  for (const [group, error] of failed) io.err.write(`* Group '${group}' could not be deleted due to: ${error.name}: ${error.message}\n`);
  if (deleted.length > 0) io.out.write(`\nThese consumer groups were deleted successfully: ${quoted(deleted)}\n`);
  return 1;
}

/** --topic's partitions: T:p,q as given, T as all of T's partitions. */
async function topicPartitions(admin: Admin, topicArgs: readonly string[]): Promise<TopicPartitionRef[]> {
  const parsed = topicArgs.map(parseTopicArg);
  const whole = [...new Set(parsed.filter((p) => p.partitions === undefined).map((p) => p.topic))];
  const described = whole.length > 0 ? await admin.describeTopics(whole) : [];
  const out = new Map<string, TopicPartitionRef>();
  for (const p of parsed) for (const partition of p.partitions ?? []) out.set(key({ topic: p.topic, partition }), { topic: p.topic, partition });
  for (const d of described) for (const p of d.partitions) out.set(key({ topic: d.name, partition: p.partition }), { topic: d.name, partition: p.partition });
  return [...out.values()];
}

async function resetOffsets(admin: Admin, groups: readonly string[], scenario: ResetScenario, topicArgs: readonly string[], execute: boolean, io: Io): Promise<number> {
  let code = 0;
  for (const group of [...groups].sort()) {
    const d = await describeOne(admin, group);
    const state = d?.state ?? 'Dead';
    if (state !== 'Empty' && state !== 'Dead') {
      io.err.write(`\nError: Assignments can only be reset if the group '${group}' is inactive, but the current state is ${state}.\n`);
      code = 1;
      continue;
    }
    const committedList = await admin.listConsumerGroupOffsets(group);
    const committed = new Map(committedList.map((c) => [key(c), c.offset]));
    const partitions = topicArgs.length > 0 ? await topicPartitions(admin, topicArgs) : committedList.map(({ topic, partition }) => ({ topic, partition }));
    if (partitions.length === 0) continue;
    const needs = scenarioNeeds(scenario);
    const [starts, ends, byTime] = await Promise.all([
      admin.listOffsets(partitions.map((tp) => ({ ...tp, timestamp: EARLIEST_TIMESTAMP }))),
      admin.listOffsets(partitions.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP }))),
      needs.byTime === undefined ? undefined : admin.listOffsets(partitions.map((tp) => ({ ...tp, timestamp: needs.byTime! }))),
    ]);
    const inputs: PartitionOffsets[] = partitions.map((tp, i) => ({
      ...tp,
      logStart: starts[i]!.offset,
      logEnd: ends[i]!.offset,
      committed: committed.get(key(tp)),
      ...(byTime ? { byTime: byTime[i]!.offset < 0 ? null : byTime[i]!.offset } : {}),
    }));
    const plan = planReset(scenario, inputs);
    for (const w of plan.warnings) io.err.write(`${w}\n`);
    if (execute) await admin.alterConsumerGroupOffsets(group, plan.offsets);
    io.out.write(formatNewOffsets(group, plan.offsets));
  }
  return code;
}

async function deleteOffsets(admin: Admin, group: string, topicArgs: readonly string[], io: Io): Promise<number> {
  const partitions = await topicPartitions(admin, topicArgs);
  const errors = new Map<string, string>();
  let topLevel: StraitError | undefined;
  try {
    await admin.deleteConsumerGroupOffsets(group, partitions);
  } catch (err) {
    if (!(err instanceof AdminOperationError) || err.operation !== 'deleteConsumerGroupOffsets') {
      topLevel = err instanceof AdminOperationError ? err.failures[0]!.error : (err as StraitError);
    } else {
      for (const f of err.failures) errors.set(f.item, f.error.name);
    }
  }
  if (topLevel) {
    if (topLevel.code === ErrorCode.GROUP_ID_NOT_FOUND) io.err.write(`\nError: '${group}' does not exist.\n`);
    else if (topLevel.code === ErrorCode.NON_EMPTY_GROUP) io.err.write(`\nError: Deleting offsets of a consumer group '${group}' is forbidden if the group is not empty.\n`);
    else throw topLevel;
    return 1;
  }
  if (errors.size === 0) io.out.write(`Request succeed for deleting offsets with topic ${topicArgs.join(', ')} group ${group}\n`);
  else io.err.write('\nError: Encounter some partition level error, see the follow-up details:\n');
  io.out.write(formatDeletedOffsets(partitions.map((tp) => ({ ...tp, error: errors.get(`${tp.topic}-${tp.partition}`) }))));
  return errors.size === 0 ? 0 : 1;
}

export const consumerGroupsCommand: CliCommand = {
  name: 'consumer-groups',
  aliases: ['groups'],
  options: OPTIONS,
  help: {
    summary: "List, describe, reset and delete consumer groups and their offsets, with kafka-consumer-groups.sh's flags and output.",
    usage: [
      'consumer-groups --bootstrap-server H:P --list [--state]',
      'consumer-groups --bootstrap-server H:P --describe (--group G ... | --all-groups) [--offsets | --members [--verbose] | --state]',
      'consumer-groups --bootstrap-server H:P --reset-offsets (--group G ... | --all-groups) (--topic T[:p,q] ... | --all-topics) SCENARIO [--dry-run | --execute]',
      'consumer-groups --bootstrap-server H:P --delete (--group G ... | --all-groups)',
      'consumer-groups --bootstrap-server H:P --delete-offsets --group G --topic T[:p,q] ...',
    ],
    options: [
      BOOTSTRAP_SERVER,
      ['--list', 'the groups, one per line (with --state: GROUP and STATE)'],
      ['--describe', "each group's committed offsets, log end offsets, lag and owners (Kafka's columns)"],
      ['--delete', 'delete groups without active members, with their offsets'],
      ['--reset-offsets', "set a group's committed offsets (only while it has no active members); a dry run unless --execute"],
      ['--delete-offsets', "delete a group's committed offsets of the given topics"],
      ['--group G', 'the group (repeatable for --describe, --reset-offsets, --delete)'],
      ['--all-groups', 'every group'],
      ['--offsets', 'describe: the offsets table (the default)'],
      ['--members', 'describe: the members (CONSUMER-ID, HOST, CLIENT-ID, #PARTITIONS)'],
      ['--verbose', 'describe --members: each member\'s partitions too (ASSIGNMENT)'],
      ['--state', 'describe: coordinator, assignor, state and member count; list: each group\'s state'],
      ['--topic T[:p,q]', 'reset-offsets, delete-offsets: a topic, or some of its partitions (repeatable)'],
      ['--all-topics', 'reset-offsets: every partition the group has committed'],
      ['--to-earliest', 'reset to the log start'],
      ['--to-latest', 'reset to the log end'],
      ['--to-current', 'reset to the committed offset (the log end where there is none)'],
      ['--to-offset N', 'reset to N (kept within the log)'],
      ['--shift-by N', 'move the committed offset by N, negative or positive (kept within the log)'],
      ['--to-datetime T', 'reset to the first record at or after T, YYYY-MM-DDTHH:mm:SS.sss (UTC unless a zone follows)'],
      ['--by-duration D', 'reset to the first record at or after now minus D (PnDTnHnMnS)'],
      ['--dry-run', 'reset-offsets: print the new offsets only (the default)'],
      ['--execute', 'reset-offsets: commit the new offsets'],
      ['--timeout MS', 'how long to wait for a group coordinator (default 5000)'],
    ],
    notes: [
      'Exactly one of --list, --describe, --delete, --reset-offsets, --delete-offsets.',
      'SCENARIO is one of --to-earliest, --to-latest, --to-current, --to-offset N, --shift-by N, --to-datetime T, --by-duration D.',
    ],
  },
  run: (argv) => runConsumerGroups(argv),
};
