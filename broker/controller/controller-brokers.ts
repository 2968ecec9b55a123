// The active controller's decisions about brokers: registration, heartbeats (unfencing once caught
// up, controlled shutdown), and fencing of brokers whose session expired. KRaft's rules
// (ClusterControlManager, BrokerHeartbeatManager, ReplicationControlManager), computed from an image;
// the caller appends the records and answers after they commit.
import { ErrorCode, StraitError } from '../../client/index.js';
import type { ControllerResult } from './controller-result.js';
import { type MetadataImage, metadataRecord, type MetadataRecord, type BrokerImage, type ReplicaRef } from '../metadata/index.js';
import {
  acceptableLeaders, electOfflinePartitions, reconcileOfflineReplicas, removeBrokersFromPartitions, type AcceptableLeader,
} from './partition-changes.js';

export const DEFAULT_BROKER_SESSION_TIMEOUT_MS = 9000;

/** When each broker was last heard from. Controller-local (not in the log): a new active controller
 * starts with none, and fenceExpiredBrokers then gives every live broker a full session. */
export class BrokerSessions {
  private readonly lastContact = new Map<number, number>();

  touch(brokerId: number, now: number): void {
    this.lastContact.set(brokerId, now);
  }

  lastHeartbeat(brokerId: number): number | undefined {
    return this.lastContact.get(brokerId);
  }

  remove(brokerId: number): void {
    this.lastContact.delete(brokerId);
  }
}

export interface BrokerRegistrationRequest {
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly host: string;
  readonly port: number;
  readonly rack?: string;
  readonly clusterId: string;
}

export interface BrokerRegistrationResponse {
  readonly brokerEpoch: number;
}

export interface BrokerHeartbeatRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly wantFence: boolean;
  readonly wantShutdown: boolean;
  /** The highest metadata offset the broker has applied. */
  readonly currentMetadataOffset: number;
  /** Its replicas whose logs are offline there (could not be opened or written); absent: none. */
  readonly offlineReplicas?: readonly ReplicaRef[];
}

export interface BrokerHeartbeatResponse {
  readonly isCaughtUp: boolean;
  readonly isFenced: boolean;
  readonly shouldShutDown: boolean;
}

function invalid(message: string): never {
  throw new StraitError(ErrorCode.INVALID_REQUEST, message);
}

const MAX_PARTITION = 2147483647;

function checkReplicaRefs(value: unknown): readonly ReplicaRef[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) invalid('offlineReplicas must be a list.');
  for (const ref of value as unknown[]) {
    const r = ref as Partial<ReplicaRef> | null;
    if (r === null || typeof r !== 'object' || typeof r.topicId !== 'string' || r.topicId.length === 0
      || !Number.isInteger(r.partition) || (r.partition as number) < 0 || (r.partition as number) > MAX_PARTITION) {
      invalid(`offlineReplicas holds a bad entry ${JSON.stringify(ref)}.`);
    }
  }
  return value as ReplicaRef[];
}

function checkRegistration(r: BrokerRegistrationRequest): void {
  if (!Number.isInteger(r.brokerId) || r.brokerId < 0 || r.brokerId > 2147483647) invalid(`Invalid broker id ${r.brokerId}.`);
  if (typeof r.incarnationId !== 'string' || r.incarnationId.length === 0) invalid('The incarnation id is empty.');
  if (typeof r.host !== 'string' || r.host.length === 0) invalid('The listener host is empty.');
  if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) invalid(`Invalid listener port ${r.port}.`);
  if (r.rack !== undefined && (typeof r.rack !== 'string' || r.rack.length === 0)) invalid('The rack is empty.');
}

/** The cluster id record for a log that has none; [] when it already holds this id. A controller
 * whose cluster id differs from the log's must not lead: INCONSISTENT_CLUSTER_ID. */
export function initializeCluster(image: MetadataImage, clusterId: string): MetadataRecord[] {
  if (typeof clusterId !== 'string' || clusterId.length === 0) invalid('The cluster id is empty.');
  if (image.clusterId === undefined) return [metadataRecord('ClusterId', { clusterId })];
  if (image.clusterId !== clusterId) {
    throw new StraitError(ErrorCode.INCONSISTENT_CLUSTER_ID, `The metadata log belongs to cluster ${image.clusterId}, not ${clusterId}.`);
  }
  return [];
}

function without(acceptable: AcceptableLeader, removed: ReadonlySet<number>): AcceptableLeader {
  return (id) => !removed.has(id) && acceptable(id);
}

/**
 * Registers a broker, fenced, with a new broker epoch (above every epoch and offset so far, so it
 * is unique). The same incarnation registering again with the same endpoint gets its epoch back
 * and nothing is written. A new incarnation replaces the old one at once: a broker restarted faster
 * than its session timeout is dead in its old form, so its leaderships and ISR places move first.
 */
export function registerBroker(
  image: MetadataImage, request: BrokerRegistrationRequest, now: number, sessions: BrokerSessions,
): ControllerResult<BrokerRegistrationResponse> {
  checkRegistration(request);
  if (image.clusterId === undefined) {
    throw new StraitError(ErrorCode.NOT_CONTROLLER, 'The controller has not initialized the cluster metadata yet.');
  }
  if (request.clusterId !== image.clusterId) {
    throw new StraitError(ErrorCode.INCONSISTENT_CLUSTER_ID,
      `Broker ${request.brokerId} belongs to cluster ${request.clusterId}, this is cluster ${image.clusterId}.`);
  }
  const existing = image.broker(request.brokerId);
  sessions.touch(request.brokerId, now);
  if (existing && existing.incarnationId === request.incarnationId && existing.host === request.host &&
      existing.port === request.port && existing.rack === request.rack) {
    return { records: [], response: { brokerEpoch: existing.brokerEpoch } };
  }
  const records: MetadataRecord[] = [];
  if (existing && !existing.fenced) {
    const gone = new Set([request.brokerId]);
    records.push(...removeBrokersFromPartitions(image, gone, without(acceptableLeaders(image), gone)));
  }
  const brokerEpoch = Math.max(image.lastBrokerEpoch, image.highestOffset) + 1;
  records.push(metadataRecord('RegisterBroker', {
    brokerId: request.brokerId, incarnationId: request.incarnationId, brokerEpoch, host: request.host, port: request.port,
    ...(request.rack === undefined ? {} : { rack: request.rack }), fenced: true,
  }));
  return { records, response: { brokerEpoch } };
}

/**
 * A broker's heartbeat. First its offline replicas: those newly reported are marked offline, leave
 * the ISR and lose their leadership; marks it no longer reports are cleared (reconcileOfflineReplicas).
 * Then, against the image with those changes: unfences a fenced broker once it has applied the log
 * up to its own registration (and elects it where it is the only ISR member of an offline
 * partition); fences on request; drives a controlled shutdown: first every leadership moves to
 * another ISR member and the broker leaves the ISRs that have other members, marked by a
 * BrokerControlledShutdown record written last; once the broker has applied that record and leads
 * nothing, it is fenced and told to shut down.
 */
export function brokerHeartbeat(
  image: MetadataImage, request: BrokerHeartbeatRequest, now: number, sessions: BrokerSessions,
): ControllerResult<BrokerHeartbeatResponse> {
  const broker = image.broker(request.brokerId);
  if (!broker) throw new StraitError(ErrorCode.STALE_BROKER_EPOCH, `No broker registration found for broker ${request.brokerId}.`);
  if (broker.brokerEpoch !== request.brokerEpoch) {
    throw new StraitError(ErrorCode.STALE_BROKER_EPOCH,
      `Expected broker epoch ${broker.brokerEpoch} for broker ${broker.brokerId}, got ${request.brokerEpoch}.`);
  }
  const reported = checkReplicaRefs(request.offlineReplicas);
  sessions.touch(broker.brokerId, now);
  const offline = reconcileOfflineReplicas(image, broker.brokerId, reported, acceptableLeaders(image));
  if (offline.length === 0) return heartbeatDecision(image, broker, request);
  // The rest of the decision is taken against the image these records make (the offsets are
  // placeholders; the records get their real ones when appended).
  const after = image.applyAll(offline.map((record, i) => ({ record, offset: image.highestOffset + 1 + i })));
  const rest = heartbeatDecision(after, broker, request);
  return { records: [...offline, ...rest.records], response: rest.response };
}

function heartbeatDecision(image: MetadataImage, broker: BrokerImage, request: BrokerHeartbeatRequest): ControllerResult<BrokerHeartbeatResponse> {
  const id = broker.brokerId;
  const isCaughtUp = request.currentMetadataOffset >= broker.registeredAtOffset;
  const answer = (isFenced: boolean, shouldShutDown: boolean) => ({ isCaughtUp, isFenced, shouldShutDown });
  const fence = metadataRecord('FenceBroker', { brokerId: id, epoch: broker.brokerEpoch });

  if (broker.fenced) {
    if (request.wantShutdown) return { records: [], response: answer(true, true) };
    if (request.wantFence || !isCaughtUp) return { records: [], response: answer(true, false) };
    const base = acceptableLeaders(image);
    const records: MetadataRecord[] = [
      metadataRecord('UnfenceBroker', { brokerId: id, epoch: broker.brokerEpoch }),
      ...electOfflinePartitions(image, (b) => b === id || base(b)),
    ];
    return { records, response: answer(false, false) };
  }

  const self = new Set([id]);
  const others = without(acceptableLeaders(image), self);
  if (request.wantFence) {
    return { records: [fence, ...removeBrokersFromPartitions(image, self, others)], response: answer(true, request.wantShutdown) };
  }
  if (!request.wantShutdown && !broker.inControlledShutdown) return { records: [], response: answer(false, false) };

  const moves = removeBrokersFromPartitions(image, self, others);
  if (!broker.inControlledShutdown) {
    return { records: [...moves, metadataRecord('BrokerControlledShutdown', { brokerId: id, epoch: broker.brokerEpoch })], response: answer(false, false) };
  }
  if (moves.length > 0) return { records: moves, response: answer(false, false) };
  const drained = image.partitionsLedBy(id).length === 0 && request.currentMetadataOffset >= broker.controlledShutdownOffset;
  if (!drained) return { records: [], response: answer(false, false) };
  return { records: [fence], response: answer(true, true) };
}

export interface FencedBrokers {
  readonly fencedBrokers: number[];
}

/**
 * Fences every unfenced broker not heard from for longer than the session timeout, and moves its
 * leaderships to a live ISR member (leader -1 when none: the partition is offline; no unclean
 * election unless the topic enables it). A live broker without a session gets one starting now.
 * The fenced brokers' sessions are forgotten, so a repeated call writes nothing twice.
 */
export function fenceExpiredBrokers(
  image: MetadataImage, sessions: BrokerSessions, now: number, sessionTimeoutMs = DEFAULT_BROKER_SESSION_TIMEOUT_MS,
): ControllerResult<FencedBrokers> {
  const expired = new Set<number>();
  for (const broker of image.liveBrokers()) {
    const last = sessions.lastHeartbeat(broker.brokerId);
    if (last === undefined) sessions.touch(broker.brokerId, now);
    else if (now - last > sessionTimeoutMs) expired.add(broker.brokerId);
  }
  if (expired.size === 0) return { records: [], response: { fencedBrokers: [] } };
  const records: MetadataRecord[] = [];
  for (const id of expired) {
    records.push(metadataRecord('FenceBroker', { brokerId: id, epoch: image.broker(id)!.brokerEpoch }));
    sessions.remove(id);
  }
  records.push(...removeBrokersFromPartitions(image, expired, without(acceptableLeaders(image), expired)));
  return { records, response: { fencedBrokers: [...expired] } };
}
