// What `strait consumer-groups` prints, in kafka-consumer-groups.sh's layouts (its printf formats:
// left-aligned columns of at least the given width, one space apart, the last column unpadded).
// Each table starts with an empty line, as Kafka's do. Pure: data in, text out.
import type { ConsumerGroupDescription, TopicPartitionRef } from '../client/index.js';

/** Kafka's "-" for a value that is not there. */
export const MISSING = '-';

/** One line of a printf-style `%-Ws %-Ws ... %s` format; trailing blanks trimmed. */
export function columns(widths: readonly number[], cells: readonly (string | number)[]): string {
  return cells.map((c, i) => (i < widths.length ? String(c).padEnd(widths[i]!) : String(c))).join(' ').trimEnd();
}

const byTopicPartition = (a: TopicPartitionRef, b: TopicPartitionRef): number => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

export interface OffsetRow {
  group: string;
  topic: string;
  partition: number | undefined;
  currentOffset: number | undefined;
  logEndOffset: number | undefined;
  consumerId: string;
  host: string;
  clientId: string;
}

/**
 * The rows of `--describe --offsets`: each member's partitions (members with the most partitions
 * first, as Kafka orders them), a row for a member with none, then committed partitions nobody is
 * assigned (consumer "-").
 */
export function offsetRows(
  description: ConsumerGroupDescription,
  committed: ReadonlyMap<string, number>,
  logEnd: ReadonlyMap<string, number>,
): OffsetRow[] {
  const key = (tp: TopicPartitionRef): string => `${tp.topic}\u0000${tp.partition}`;
  const rows: OffsetRow[] = [];
  const assigned = new Set<string>();
  const members = [...description.members].sort((a, b) => b.assignment.length - a.assignment.length || (a.memberId < b.memberId ? -1 : 1));
  for (const m of members) {
    const who = { consumerId: m.memberId, host: m.host, clientId: m.clientId };
    if (m.assignment.length === 0) {
      rows.push({ group: description.groupId, topic: MISSING, partition: undefined, currentOffset: undefined, logEndOffset: undefined, ...who });
      continue;
    }
    for (const tp of [...m.assignment].sort(byTopicPartition)) {
      assigned.add(key(tp));
      rows.push({ group: description.groupId, topic: tp.topic, partition: tp.partition, currentOffset: committed.get(key(tp)), logEndOffset: logEnd.get(key(tp)), ...who });
    }
  }
  const rest = [...committed.keys()]
    .filter((k) => !assigned.has(k))
    .map((k) => ({ topic: k.slice(0, k.indexOf('\u0000')), partition: Number(k.slice(k.indexOf('\u0000') + 1)) }))
    .sort(byTopicPartition);
  for (const tp of rest) {
    rows.push({ group: description.groupId, ...tp, currentOffset: committed.get(key(tp)), logEndOffset: logEnd.get(key(tp)), consumerId: MISSING, host: MISSING, clientId: MISSING });
  }
  return rows;
}

const show = (n: number | undefined): string => (n === undefined ? MISSING : String(n));

/** --describe (--offsets): GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID. */
export function formatOffsets(rows: readonly OffsetRow[]): string {
  const width = (pick: (r: OffsetRow) => string): number => Math.max(15, ...rows.map((r) => pick(r).length));
  const widths = [width((r) => r.group), width((r) => r.topic), 10, 15, 15, 15, width((r) => r.consumerId), width((r) => r.host)];
  const lines = [columns(widths, ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'])];
  for (const r of rows) {
    const lag = r.currentOffset !== undefined && r.logEndOffset !== undefined ? r.logEndOffset - r.currentOffset : undefined;
    lines.push(columns(widths, [r.group, r.topic, show(r.partition), show(r.currentOffset), show(r.logEndOffset), show(lag), r.consumerId, r.host, r.clientId]));
  }
  return `\n${lines.join('\n')}\n`;
}

/** "orders(0,1,2), payments(3)", or "-" for none: --members --verbose's ASSIGNMENT. */
export function assignmentText(assignment: readonly TopicPartitionRef[]): string {
  if (assignment.length === 0) return MISSING;
  const topics = new Map<string, number[]>();
  for (const tp of assignment) {
    let list = topics.get(tp.topic);
    if (!list) topics.set(tp.topic, (list = []));
    list.push(tp.partition);
  }
  return [...topics].map(([topic, ps]) => `${topic}(${ps.sort((a, b) => a - b).join(',')})`).sort().join(', ');
}

/** --describe --members [--verbose]: GROUP CONSUMER-ID [GROUP-INSTANCE-ID] HOST CLIENT-ID #PARTITIONS [ASSIGNMENT]. */
export function formatMembers(description: ConsumerGroupDescription, verbose: boolean): string {
  const members = description.members;
  const group = description.groupId;
  const withInstance = members.some((m) => m.groupInstanceId !== undefined);
  const w = (min: number, pick: (m: (typeof members)[number]) => string): number => Math.max(min, group.length, ...members.map((m) => pick(m).length));
  const groupWidth = Math.max(15, group.length);
  const widths = [
    groupWidth,
    w(15, (m) => m.memberId),
    ...(withInstance ? [w(17, (m) => m.groupInstanceId ?? '')] : []),
    w(15, (m) => m.host),
    w(15, (m) => m.clientId),
    15,
  ];
  const header = ['GROUP', 'CONSUMER-ID', ...(withInstance ? ['GROUP-INSTANCE-ID'] : []), 'HOST', 'CLIENT-ID', '#PARTITIONS', ...(verbose ? ['ASSIGNMENT'] : [])];
  const lines = [columns(widths, header)];
  for (const m of members) {
    lines.push(columns(widths, [
      group, m.memberId, ...(withInstance ? [m.groupInstanceId ?? ''] : []), m.host, m.clientId, m.assignment.length,
      ...(verbose ? [assignmentText(m.assignment)] : []),
    ]));
  }
  return `\n${lines.join('\n')}\n`;
}

/** --describe --state: GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS. */
export function formatState(description: ConsumerGroupDescription): string {
  const c = description.coordinator;
  const coordinator = c ? `${c.host}:${c.port}  (${c.nodeId})` : MISSING;
  // Kafka sizes the first column by the coordinator's text (a quirk of its format string).
  const widths = [Math.max(25, coordinator.length), 25, 20, 15];
  return `\n${columns(widths, ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'])}\n`
    + `${columns(widths, [description.groupId, coordinator, description.assignor, description.state, description.members.length])}\n`;
}

/** --list --state: GROUP STATE. */
export function formatGroupStates(groups: readonly { groupId: string; state: string }[]): string {
  const width = Math.max(15, ...groups.map((g) => g.groupId.length)) + 10;
  return [columns([width], ['GROUP', 'STATE']), ...groups.map((g) => columns([width], [g.groupId, g.state]))].join('\n') + '\n';
}

/** --reset-offsets: GROUP TOPIC PARTITION NEW-OFFSET, in topic and partition order. */
export function formatNewOffsets(group: string, offsets: readonly (TopicPartitionRef & { offset: number })[]): string {
  const widths = [30, 30, 10];
  const rows = [...offsets].sort(byTopicPartition).map((o) => columns(widths, [group, o.topic, o.partition, o.offset]));
  return `\n${[columns(widths, ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET']), ...rows].join('\n')}\n`;
}

/** --delete-offsets: TOPIC PARTITION STATUS. */
export function formatDeletedOffsets(results: readonly (TopicPartitionRef & { error: string | undefined })[]): string {
  const widths = [30, 15];
  const rows = [...results].sort(byTopicPartition).map((r) => columns(widths, [r.topic, r.partition, r.error === undefined ? 'Successful' : `Error: ${r.error}`]));
  return `\n${[columns(widths, ['TOPIC', 'PARTITION', 'STATUS']), ...rows].join('\n')}\n`;
}
