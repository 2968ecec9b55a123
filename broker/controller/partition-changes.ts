// The controller's leader and ISR decisions when brokers leave (fencing, controlled shutdown, a new
// incarnation) or come back (unfencing), and when a broker reports replicas whose log is offline
// there. Kafka's rules: a new leader is the first replica, in replica order, that is in the ISR,
// acceptable (registered, unfenced, not shutting down) and not offline; the ISR never becomes empty
// (its last member stays, with leader -1, so that it can lead again when it returns without losing
// acknowledged records); a replica outside the ISR is elected only when the topic sets
// unclean.leader.election.enable=true.
import {
  type MetadataImage, metadataRecord, type PartitionChangeRecord, NO_LEADER, type PartitionImage, type ReplicaRef,
} from '../metadata/index.js';

export type AcceptableLeader = (brokerId: number) => boolean;

/** Brokers that may lead now: registered, unfenced and not in controlled shutdown. */
export function acceptableLeaders(image: MetadataImage): AcceptableLeader {
  return (id) => {
    const b = image.broker(id);
    return b !== undefined && !b.fenced && !b.inControlledShutdown;
  };
}

export function uncleanElectionEnabled(image: MetadataImage, topicName: string, brokerDefault: boolean): boolean {
  const value = image.topicConfigOverrides(topicName)['unclean.leader.election.enable'];
  return value === undefined ? brokerDefault : value.trim().toLowerCase() === 'true';
}

interface Election {
  readonly leader: number;
  readonly isr: readonly number[];
}

/** The leader (and ISR, which an unclean election resets) for a partition that needs one; a replica
 * whose log is offline on its broker is never chosen. */
export function electLeader(
  partition: Pick<PartitionImage, 'replicas' | 'offlineReplicas'>, isr: readonly number[], acceptable: AcceptableLeader, unclean: boolean,
): Election {
  const eligible = (id: number): boolean => acceptable(id) && !partition.offlineReplicas.includes(id);
  const clean = partition.replicas.find((id) => isr.includes(id) && eligible(id));
  if (clean !== undefined) return { leader: clean, isr };
  if (unclean) {
    const any = partition.replicas.find(eligible);
    if (any !== undefined) return { leader: any, isr: [any] };
  }
  return { leader: NO_LEADER, isr };
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function change(
  partition: PartitionImage, isr: readonly number[], leader: number, offline: readonly number[] = partition.offlineReplicas,
): PartitionChangeRecord | undefined {
  const isrChanged = !sameMembers(isr, partition.isr);
  const leaderChanged = leader !== partition.leader;
  const offlineChanged = !sameMembers(offline, partition.offlineReplicas);
  if (!isrChanged && !leaderChanged && !offlineChanged) return undefined;
  return metadataRecord('PartitionChange', {
    topicId: partition.topicId, partition: partition.partition,
    ...(isrChanged ? { isr: [...isr] } : {}), ...(leaderChanged ? { leader } : {}),
    ...(offlineChanged ? { offlineReplicas: [...offline] } : {}),
  });
}

/**
 * Makes the image's offline marks of one broker match what it reports (Kafka's offline log dirs, per
 * partition here): a replica newly reported offline is marked, leaves the ISR where other members
 * remain, and its leadership moves to an eligible ISR member (or to -1 when there is none: the
 * partition is offline, the ISR keeps its last member); a mark no longer reported (the broker's next
 * incarnation opened the log) is cleared, and a leaderless partition may elect again. Reports of
 * partitions the broker does not host, or of unknown topic ids, are ignored (the broker may be behind).
 */
export function reconcileOfflineReplicas(
  image: MetadataImage, brokerId: number, reported: readonly ReplicaRef[], acceptable: AcceptableLeader, uncleanDefault = false,
): PartitionChangeRecord[] {
  const wanted = new Set(reported.map((r) => `${r.topicId}\u0000${r.partition}`));
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      if (!p.replicas.includes(brokerId)) continue;
      const want = wanted.has(`${p.topicId}\u0000${p.partition}`);
      const marked = p.offlineReplicas.includes(brokerId);
      if (want === marked) continue;
      const offline = p.replicas.filter((id) => (id === brokerId ? want : p.offlineReplicas.includes(id)));
      const next: PartitionImage = { ...p, offlineReplicas: offline };
      let isr = p.isr;
      let leader = p.leader;
      if (want) {
        const remaining = p.isr.filter((id) => id !== brokerId);
        if (remaining.length > 0) isr = remaining;
      }
      if ((want && leader === brokerId) || (!want && leader === NO_LEADER)) {
        const election = electLeader(next, isr, acceptable, uncleanElectionEnabled(image, topic.name, uncleanDefault));
        leader = election.leader;
        isr = election.isr;
      }
      const record = change(p, isr, leader, offline);
      if (record) records.push(record);
    }
  }
  return records;
}

/** Takes the brokers out of every ISR (where other members remain) and moves their leaderships to
 * an acceptable ISR member, or to -1 when there is none. `acceptable` must already refuse them. */
export function removeBrokersFromPartitions(
  image: MetadataImage, removed: ReadonlySet<number>, acceptable: AcceptableLeader, uncleanDefault = false,
): PartitionChangeRecord[] {
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      const affected = p.isr.some((id) => removed.has(id)) || removed.has(p.leader);
      if (!affected) continue;
      const remaining = p.isr.filter((id) => !removed.has(id));
      // Everyone in the ISR left at once: keep it whole, each of them holds every acknowledged record.
      let isr: readonly number[] = remaining.length > 0 ? remaining : p.isr;
      let leader = p.leader;
      if (leader === NO_LEADER || removed.has(leader) || !acceptable(leader)) {
        const election = electLeader(p, isr, acceptable, uncleanElectionEnabled(image, topic.name, uncleanDefault));
        leader = election.leader;
        isr = election.isr;
      }
      const record = change(p, isr, leader);
      if (record) records.push(record);
    }
  }
  return records;
}

/** Leaders for offline partitions that an acceptable broker (typically one just unfenced) can lead. */
export function electOfflinePartitions(image: MetadataImage, acceptable: AcceptableLeader, uncleanDefault = false): PartitionChangeRecord[] {
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      if (p.leader !== NO_LEADER) continue;
      const election = electLeader(p, p.isr, acceptable, uncleanElectionEnabled(image, topic.name, uncleanDefault));
      if (election.leader === NO_LEADER) continue;
      const record = change(p, election.isr, election.leader);
      if (record) records.push(record);
    }
  }
  return records;
}
