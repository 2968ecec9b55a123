// Admin-triggered leader elections (Kafka's ElectLeaders, `kafka-leader-election`): 'preferred'
// moves leadership back to the first replica when it is in the ISR and live; 'unclean' gives an
// offline partition a leader from outside the ISR as a last resort (its ISR becomes that leader).
import { ErrorCode, StraitError } from '../../client/index.js';
import type { ControllerResult } from './controller-result.js';
import { type MetadataImage, metadataRecord, type MetadataRecord, NO_LEADER } from '../metadata/index.js';
import { acceptableLeaders, electLeader } from './partition-changes.js';

export type ElectionType = 'preferred' | 'unclean';

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface ElectionResult extends TopicPartitionRef {
  readonly errorCode: number;
  readonly errorMessage: string;
}

/** Elects leaders for the partitions named, or for every partition when `partitions` is undefined
 * (then only the partitions that need it are reported, as Kafka does). */
export function electLeaders(
  image: MetadataImage, partitions: readonly TopicPartitionRef[] | undefined, type: ElectionType,
): ControllerResult<ElectionResult[]> {
  const acceptable = acceptableLeaders(image);
  const records: MetadataRecord[] = [];
  const all = partitions === undefined;
  const targets = partitions ?? image.topics().flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
  const seen = new Set<string>();
  const response: ElectionResult[] = [];
  for (const { topic, partition } of targets) {
    const result = (errorCode: number, errorMessage = ''): void => {
      response.push({ topic, partition, errorCode, errorMessage });
    };
    const key = `${topic}\u0000${partition}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p = image.partition(topic, partition);
    if (!p) {
      result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${topic}-${partition} does not exist.`);
      continue;
    }
    let leader: number;
    let isr = p.isr;
    if (type === 'preferred') {
      const preferred = p.replicas[0]!;
      if (p.leader === preferred) {
        if (!all) result(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
        continue;
      }
      if (!p.isr.includes(preferred) || !acceptable(preferred) || p.offlineReplicas.includes(preferred)) {
        result(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, `Preferred leader ${preferred} of ${topic}-${partition} is not available.`);
        continue;
      }
      leader = preferred;
    } else if (type === 'unclean') {
      if (p.leader !== NO_LEADER) {
        if (!all) result(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
        continue;
      }
      const election = electLeader(p, p.isr, acceptable, true);
      if (election.leader === NO_LEADER) {
        result(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, `No live replica of ${topic}-${partition} can lead.`);
        continue;
      }
      leader = election.leader;
      isr = election.isr;
    } else {
      throw new StraitError(ErrorCode.INVALID_REQUEST, `Unknown election type ${JSON.stringify(type)}.`);
    }
    const isrChanged = isr.length !== p.isr.length || isr.some((id, i) => id !== p.isr[i]);
    records.push(metadataRecord('PartitionChange', {
      topicId: p.topicId, partition, leader, ...(isrChanged ? { isr: [...isr] } : {}),
    }));
    result(ErrorCode.NONE);
  }
  return { records, response };
}

/** One broker's share of the preferred leaderships it does not hold (Kafka's leader imbalance). */
export interface BrokerImbalance {
  readonly brokerId: number;
  /** Partitions whose preferred replica (the first) is this broker. */
  readonly preferred: number;
  /** Of those, the ones another broker (or none) leads. */
  readonly notLed: readonly TopicPartitionRef[];
}

/** Each broker that is some partition's preferred replica, by id, with the ones it does not lead. */
export function leaderImbalance(image: MetadataImage): BrokerImbalance[] {
  const byBroker = new Map<number, { preferred: number; notLed: TopicPartitionRef[] }>();
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      const preferred = p.replicas[0]!;
      let entry = byBroker.get(preferred);
      if (!entry) byBroker.set(preferred, (entry = { preferred: 0, notLed: [] }));
      entry.preferred++;
      if (p.leader !== preferred) entry.notLed.push({ topic: t.name, partition: p.partition });
    }
  }
  return [...byBroker.entries()].sort(([a], [b]) => a - b).map(([brokerId, e]) => ({ brokerId, ...e }));
}

/**
 * auto.leader.rebalance.enable's periodic check (Kafka's controller, checkAndTriggerAutoLeaderRebalance):
 * a broker whose imbalance (preferred partitions it does not lead / preferred partitions) is above
 * leader.imbalance.per.broker.percentage gets those partitions back by preferred elections, where its
 * replica is in the ISR and may lead. Partitions being reassigned are left alone (their preferred
 * replica is about to change). Answers the partitions elected.
 */
export function balanceLeaders(image: MetadataImage, imbalancePercentage: number): ControllerResult<TopicPartitionRef[]> {
  const candidates: TopicPartitionRef[] = [];
  for (const broker of leaderImbalance(image)) {
    if (broker.notLed.length / broker.preferred <= imbalancePercentage / 100) continue;
    for (const ref of broker.notLed) {
      const p = image.partition(ref.topic, ref.partition)!;
      if (p.addingReplicas.length === 0 && p.removingReplicas.length === 0) candidates.push(ref);
    }
  }
  if (candidates.length === 0) return { records: [], response: [] };
  const { records, response } = electLeaders(image, candidates, 'preferred');
  return { records, response: response.filter((r) => r.errorCode === ErrorCode.NONE).map(({ topic, partition }) => ({ topic, partition })) };
}
