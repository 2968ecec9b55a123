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
