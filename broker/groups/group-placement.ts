// Where a group lives: the partition of __consumer_offsets that holds its records, whose leader is
// the group's coordinator. Kafka's rule, bit for bit, so a group maps to the same partition number
// here as in Kafka: Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions, with Java's
// String.hashCode (31·h + c over UTF-16 code units, int32 overflow) and Kafka's Utils.abs, which
// maps Integer.MIN_VALUE to 0 where Math.abs would leave it negative.

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

const INT_MIN = -2147483648;

/** Java's String.hashCode: s[0]·31^(n-1) + ... + s[n-1] in int32 arithmetic, over UTF-16 code units. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: |n|, and 0 for Integer.MIN_VALUE (whose |n| does not fit an int). */
export function kafkaAbs(n: number): number {
  return n === INT_MIN ? 0 : Math.abs(n);
}

/** The __consumer_offsets partition that holds the group. */
export function partitionForGroup(groupId: string, partitionCount: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % partitionCount;
}
