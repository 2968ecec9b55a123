// Partition choice, byte-compatible with Kafka's Java client so that a key lands on the same
// partition here as there: murmur2 of the key bytes, made positive, modulo the partition count.
//
//   sticky       Kafka's default since 2.4 (KIP-480): keyed records by murmur2; keyless records
//                stay on one partition until a batch for it is completed, then move on at random.
//   murmur2      Kafka's DefaultPartitioner before 2.4: keyed records by murmur2; keyless records
//                round-robin per topic.
//   round-robin  Kafka's RoundRobinPartitioner: every record, keyed or not, takes the topic's next
//                partition in turn (keys do not choose partitions).

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's Utils.murmur2: the signed 32-bit MurmurHash2 of the bytes with Kafka's seed. */
export function murmur2(data: Buffer): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[length4 + 2]! << 16;
  if (rest >= 2) h ^= data[length4 + 1]! << 8;
  if (rest >= 1) {
    h ^= data[length4]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive. */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

function checkPartitionCount(numPartitions: number): void {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`number of partitions must be a positive integer, got ${numPartitions}`);
  }
}

/** Kafka's BuiltInPartitioner.partitionForKey. */
export function partitionForKey(key: Buffer, numPartitions: number): number {
  checkPartitionCount(numPartitions);
  return toPositive(murmur2(key)) % numPartitions;
}

export interface Partitioner {
  partition(topic: string, key: Buffer | null, numPartitions: number): number;
  /** The batch the producer was filling for prevPartition is complete (sent or full). */
  onNewBatch(topic: string, prevPartition: number, numPartitions: number): void;
}

/** A source of uniform random 32-bit integers; injectable so tests are deterministic. */
export type RandomInt = () => number;

const defaultRandomInt: RandomInt = () => (Math.random() * 0x100000000) | 0;

export class StickyPartitioner implements Partitioner {
  private readonly sticky = new Map<string, number>();
  private readonly randomInt: RandomInt;

  constructor(randomInt: RandomInt = defaultRandomInt) {
    this.randomInt = randomInt;
  }

  partition(topic: string, key: Buffer | null, numPartitions: number): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    checkPartitionCount(numPartitions);
    const current = this.sticky.get(topic);
    if (current !== undefined && current < numPartitions) return current;
    return this.pick(topic, -1, numPartitions);
  }

  onNewBatch(topic: string, prevPartition: number, numPartitions: number): void {
    checkPartitionCount(numPartitions);
    const current = this.sticky.get(topic);
    // Only the batch of the partition we stick to moves us on (as Kafka's StickyPartitionCache).
    if (current === undefined || current === prevPartition) this.pick(topic, prevPartition, numPartitions);
  }

  private pick(topic: string, avoid: number, numPartitions: number): number {
    let next = toPositive(this.randomInt()) % numPartitions;
    if (numPartitions > 1) {
      // A fixed number of draws; then the neighbour, so a broken random source cannot loop forever.
      for (let i = 0; next === avoid && i < 16; i++) next = toPositive(this.randomInt()) % numPartitions;
      if (next === avoid) next = (avoid + 1) % numPartitions;
    }
    this.sticky.set(topic, next);
    return next;
  }
}

class TopicCounters {
  private readonly counters = new Map<string, number>();

  next(topic: string, numPartitions: number): number {
    const value = this.counters.get(topic) ?? 0;
    this.counters.set(topic, (value + 1) | 0);
    return toPositive(value) % numPartitions;
  }
}

export class RoundRobinPartitioner implements Partitioner {
  private readonly counters = new TopicCounters();

  // Unlike Kafka's RoundRobinPartitioner, a keyed record still goes to murmur2(key) (DESIGN §4): a key
  // must land on the same partition whichever partitioner a producer picked.
  partition(topic: string, key: Buffer | null, numPartitions: number): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    checkPartitionCount(numPartitions);
    return this.counters.next(topic, numPartitions);
  }

  onNewBatch(_topic: string, _prevPartition: number, _numPartitions: number): void {
    // Choices do not depend on batches (Kafka's own RoundRobinPartitioner skips partitions here: KAFKA-9965).
  }
}

export class Murmur2Partitioner implements Partitioner {
  private readonly counters = new TopicCounters();

  partition(topic: string, key: Buffer | null, numPartitions: number): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    checkPartitionCount(numPartitions);
    return this.counters.next(topic, numPartitions);
  }

  onNewBatch(_topic: string, _prevPartition: number, _numPartitions: number): void {
    // Keyless records already spread one by one.
  }
}

export type PartitionerName = 'sticky' | 'round-robin' | 'murmur2';

export function createPartitioner(name: PartitionerName): Partitioner {
  switch (name) {
    case 'sticky':
      return new StickyPartitioner();
    case 'round-robin':
      return new RoundRobinPartitioner();
    case 'murmur2':
      return new Murmur2Partitioner();
    default:
      throw new RangeError(`unknown partitioner '${String(name)}', expected sticky, round-robin or murmur2`);
  }
}
