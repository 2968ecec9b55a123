// The shapes a MetadataImage is made of; every object is frozen once built and shared between
// successive images (copy-on-write), so a reader may keep any of them.

export interface BrokerImage {
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly brokerEpoch: number;
  readonly host: string;
  readonly port: number;
  readonly rack?: string;
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
  /** Offset of the RegisterBroker record: the broker is caught up once it has applied this far. */
  readonly registeredAtOffset: number;
  /** Offset of the BrokerControlledShutdown record, -1 when not shutting down. */
  readonly controlledShutdownOffset: number;
}

export interface PartitionImage {
  readonly topicId: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** -1 when the partition has no leader (offline). */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  /** Replicas whose broker reported their log offline (it could not be opened or written there),
   * in replica order; such a replica neither leads nor stays in the ISR while others remain. Cleared
   * when the broker's next incarnation no longer reports it. */
  readonly offlineReplicas: readonly number[];
  /** While a reassignment runs (KIP-455): the replicas it adds (in `replicas`, not yet in the ISR
   * when it started) and those it removes; both empty otherwise. The target is `replicas` without
   * `removingReplicas`, the original assignment `replicas` without `addingReplicas`. */
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

/** A partition by topic id, as brokers report their offline replicas. */
export interface ReplicaRef {
  readonly topicId: string;
  readonly partition: number;
}

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PartitionImage[];
  /** Topic-level overrides only. */
  readonly configs: Readonly<Record<string, string>>;
}

/** The stored answer of a forwarded admin write (a RequestResult record), by its request id. */
export interface RequestResultImage {
  readonly requestId: string;
  readonly operation: string;
  /** The deciding controller's clock when it decided, in ms. */
  readonly timestamp: number;
  /** The image offset of the RequestResult record: the decision committed with it. */
  readonly offset: number;
  readonly results: readonly Readonly<Record<string, unknown>>[];
}

export interface ImageState {
  /** The last applied log offset, -1 before any. */
  readonly highestOffset: number;
  readonly clusterId: string | undefined;
  /** The highest broker epoch ever registered (survives unregistration), -1 before any. */
  readonly lastBrokerEpoch: number;
  /** The first producer id not yet handed out in a block. */
  readonly nextProducerId: number;
  readonly brokers: ReadonlyMap<number, BrokerImage>;
  readonly topicsById: ReadonlyMap<string, TopicImage>;
  readonly topicIdsByName: ReadonlyMap<string, string>;
  /** Broker config overrides by resource name (a broker id, or '' for the cluster default). */
  readonly brokerConfigs: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Recent answers of forwarded admin writes by request id, oldest first, bounded (request-results.ts). */
  readonly requestResults: ReadonlyMap<string, RequestResultImage>;
}

export const NO_LEADER = -1;

export const NO_OFFLINE_REPLICAS: readonly number[] = Object.freeze([]);

/** The empty adding / removing list of a partition without a reassignment. */
export const NO_REPLICAS: readonly number[] = NO_OFFLINE_REPLICAS;

/** A reassignment is running while it still adds or removes replicas. */
export function reassignmentInProgress(p: Pick<PartitionImage, 'addingReplicas' | 'removingReplicas'>): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
}

/** The replicas a running reassignment moves to (all replicas when none runs). */
export function targetReplicas(p: Pick<PartitionImage, 'replicas' | 'removingReplicas'>): number[] {
  return p.replicas.filter((id) => !p.removingReplicas.includes(id));
}

/** What must hold for any partition; returns the violation, or undefined. */
export function partitionProblem(
  replicas: readonly number[], isr: readonly number[], leader: number, offline: readonly number[] = NO_OFFLINE_REPLICAS,
  adding: readonly number[] = NO_REPLICAS, removing: readonly number[] = NO_REPLICAS,
): string | undefined {
  if (replicas.length === 0) return 'replicas is empty';
  if (new Set(replicas).size !== replicas.length) return `replicas ${JSON.stringify(replicas)} has duplicates`;
  if (isr.length === 0) return 'isr is empty';
  if (new Set(isr).size !== isr.length) return `isr ${JSON.stringify(isr)} has duplicates`;
  const outside = isr.find((id) => !replicas.includes(id));
  if (outside !== undefined) return `isr member ${outside} is not a replica`;
  if (leader !== NO_LEADER && !isr.includes(leader)) return `leader ${leader} is not in the isr ${JSON.stringify(isr)}`;
  if (new Set(offline).size !== offline.length) return `offline replicas ${JSON.stringify(offline)} has duplicates`;
  const stranger = offline.find((id) => !replicas.includes(id));
  if (stranger !== undefined) return `offline replica ${stranger} is not a replica`;
  if (offline.includes(leader)) return `leader ${leader} is an offline replica`;
  for (const [name, list] of [['adding', adding], ['removing', removing]] as const) {
    if (new Set(list).size !== list.length) return `${name} replicas ${JSON.stringify(list)} has duplicates`;
    const outsider = list.find((id) => !replicas.includes(id));
    if (outsider !== undefined) return `${name} replica ${outsider} is not a replica`;
  }
  const both = adding.find((id) => removing.includes(id));
  if (both !== undefined) return `replica ${both} is both added and removed`;
  if (removing.length === replicas.length) return 'a reassignment removes every replica';
  return undefined;
}
