// Replica placement, Kafka's AdminUtils.assignReplicasToBrokers: the first replica of partition p
// goes to broker (p + start) % B, so leaders spread evenly; followers follow at a shift that grows
// by one after every B partitions, so replica sets vary. Rack-aware (every broker has a rack): the
// broker list alternates racks, and a follower is skipped while its rack already holds a replica
// and some rack holds none. The random start and shift come from an injected source so that tests,
// and a simulation, are deterministic.
import { ErrorCode, StraitError } from '../../client/index.js';

export interface PlacementBroker {
  readonly brokerId: number;
  readonly rack?: string;
}

/** A number in [0, 1), like Math.random. */
export type RandomSource = () => number;

export interface PlacementOptions {
  readonly random: RandomSource;
  /** Fixes the start index and the shift instead of drawing them (Kafka's fixedStartIndex). */
  readonly fixedStartIndex?: number;
  /** The first partition id to place (a topic that grows continues its pattern). */
  readonly startPartitionId?: number;
}

/** Replica lists for partitions startPartitionId.., first replica = preferred leader. Throws
 * StraitError(INVALID_REPLICATION_FACTOR) when rf < 1 or rf > brokers, INVALID_PARTITIONS when
 * partitions < 0. */
export function assignReplicas(brokers: readonly PlacementBroker[], partitions: number, replicationFactor: number, options: PlacementOptions): number[][] {
  if (!Number.isInteger(partitions) || partitions < 0) {
    throw new StraitError(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be at least 0, got ${partitions}.`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new StraitError(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor must be larger than 0, got ${replicationFactor}.`);
  }
  if (replicationFactor > brokers.length) {
    throw new StraitError(ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`);
  }
  const rackAware = brokers.every((b) => b.rack !== undefined);
  return rackAware ? assignRackAware(brokers, partitions, replicationFactor, options)
    : assignRackUnaware(brokers.map((b) => b.brokerId).sort((a, b) => a - b), partitions, replicationFactor, options);
}

function randomInt(random: RandomSource, bound: number): number {
  return Math.min(bound - 1, Math.floor(random() * bound));
}

function replicaIndex(firstReplicaIndex: number, shift: number, replica: number, brokerCount: number): number {
  const step = 1 + ((shift + replica) % (brokerCount - 1));
  return (firstReplicaIndex + step) % brokerCount;
}

function startAndShift(count: number, options: PlacementOptions): [number, number] {
  if (options.fixedStartIndex !== undefined && options.fixedStartIndex >= 0) return [options.fixedStartIndex, options.fixedStartIndex];
  const start = randomInt(options.random, count);
  return [start, randomInt(options.random, count)];
}

function assignRackUnaware(ids: readonly number[], partitions: number, rf: number, options: PlacementOptions): number[][] {
  const n = ids.length;
  const [start, initialShift] = startAndShift(n, options);
  let shift = initialShift;
  const out: number[][] = [];
  let partitionId = Math.max(0, options.startPartitionId ?? 0);
  for (let i = 0; i < partitions; i++, partitionId++) {
    if (partitionId > 0 && partitionId % n === 0) shift++;
    const first = (partitionId + start) % n;
    const replicas = [ids[first]!];
    for (let j = 0; j < rf - 1; j++) replicas.push(ids[replicaIndex(first, shift, j, n)]!);
    out.push(replicas);
  }
  return out;
}

/** Brokers ordered rack by rack in turn (racks sorted, brokers sorted within a rack):
 * racks a:[1,2], b:[3], c:[4,5] -> [1, 3, 4, 2, 5]. */
export function rackAlternatedBrokers(brokers: readonly PlacementBroker[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of brokers) {
    const list = byRack.get(b.rack!) ?? [];
    list.push(b.brokerId);
    byRack.set(b.rack!, list);
  }
  const racks = [...byRack.keys()].sort();
  const queues = racks.map((r) => byRack.get(r)!.sort((a, b) => a - b));
  const out: number[] = [];
  for (let round = 0; out.length < brokers.length; round++) {
    for (const q of queues) if (round < q.length) out.push(q[round]!);
  }
  return out;
}

function assignRackAware(brokers: readonly PlacementBroker[], partitions: number, rf: number, options: PlacementOptions): number[][] {
  const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack!]));
  const rackCount = new Set(rackOf.values()).size;
  const arranged = rackAlternatedBrokers(brokers);
  const n = arranged.length;
  const [start, initialShift] = startAndShift(n, options);
  let shift = initialShift;
  const out: number[][] = [];
  let partitionId = Math.max(0, options.startPartitionId ?? 0);
  for (let i = 0; i < partitions; i++, partitionId++) {
    if (partitionId > 0 && partitionId % n === 0) shift++;
    const first = (partitionId + start) % n;
    const leader = arranged[first]!;
    const replicas = [leader];
    const racksUsed = new Set([rackOf.get(leader)!]);
    const brokersUsed = new Set([leader]);
    let k = 0;
    for (let j = 0; j < rf - 1; j++) {
      // Terminates: once every rack (or every broker) holds a replica the conditions relax, and k
      // walks through every broker within n - 1 steps.
      for (;;) {
        const broker = arranged[replicaIndex(first, shift * rackCount, k, n)]!;
        const rack = rackOf.get(broker)!;
        k++;
        if ((!racksUsed.has(rack) || racksUsed.size === rackCount) && (!brokersUsed.has(broker) || brokersUsed.size === n)) {
          replicas.push(broker);
          racksUsed.add(rack);
          brokersUsed.add(broker);
          break;
        }
      }
    }
    out.push(replicas);
  }
  return out;
}

/** A small seeded generator (mulberry32) for deterministic placement in tests and simulations. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
