// gRPC handlers of the Quorum service: Raft messages into the voter's driver, committed metadata for
// brokers that are not voters, and the active controller's broker-lifecycle, producer-id and
// forwarded-write calls. Every answer carries a Kafka error code; a foreign cluster id is answered
// with INCONSISTENT_CLUSTER_ID and changes nothing. Built on the call adapters like the Broker and
// Admin services: counted in the request metrics, part of the shutdown drain, one error mapping.
import { ErrorCode, StraitError, type ErrorCodeValue, type wire } from '../../client/index.js';
import {
  type ActiveController, ANSWERED_ONCE, answerOnce, decisionFor, FORWARDED_OPERATIONS, type ControllerOperation, type ControllerWrites,
  type DecisionContext, type BrokerHeartbeatResponse, type BrokerRegistrationResponse, type ProducerIdBlock,
} from '../controller/index.js';
import { isRequestId } from '../metadata/index.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import { entryToProto } from '../quorum/raft-codec.js';
import type { RaftQuorum } from '../quorum/raft-quorum.js';
import { unary, type AdapterDeps } from './call-adapters.js';

export interface QuorumServiceDeps {
  clusterId: string;
  state: MetadataState;
  /** Undefined on a node that is not a voter. */
  quorum: RaftQuorum | undefined;
  controller: ActiveController | undefined;
  decisionContext: DecisionContext;
  requestTimeoutMs: number;
}

const MAX_FETCH_ENTRIES = 1000;
const MAX_FETCH_WAIT_MS = 30_000;

function checkCluster(deps: QuorumServiceDeps, clusterId: unknown): void {
  if (clusterId !== deps.clusterId) {
    throw new StraitError(ErrorCode.INCONSISTENT_CLUSTER_ID, `This node belongs to cluster ${deps.clusterId}, the request to ${String(clusterId)}.`);
  }
}

async function decide<O extends ControllerOperation>(
  deps: QuorumServiceDeps, operation: O, request: ControllerWrites[O], timeoutMs: number, requestId?: string,
) {
  if (!deps.controller?.isActive) throw new StraitError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
  const decision = decisionFor(operation, request, deps.decisionContext);
  return deps.controller.decide(operation, requestId === undefined ? decision : answerOnce(operation, requestId, decision), timeoutMs);
}

/** ControllerWrite's request id: absent when empty (a node that sends none); INVALID_REQUEST when
 * malformed or on an operation whose answers are not kept. */
function requestIdOf(operation: ControllerOperation, value: string): string | undefined {
  if (value === '') return undefined;
  if (!isRequestId(value)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'request_id must be 1 to 64 characters of [A-Za-z0-9._:-].');
  if (!ANSWERED_ONCE.has(operation)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${operation} takes no request_id.`);
  return value;
}

async function fetchMetadata(deps: QuorumServiceDeps, req: { fromOffset: number; maxWaitMs: number }): Promise<wire.FetchMetadataResponse> {
  const quorum = deps.quorum;
  if (!quorum) throw new StraitError(ErrorCode.NOT_CONTROLLER, 'This node is not a voter of the metadata quorum.');
  const from = req.fromOffset;
  if (!Number.isSafeInteger(from) || from < 1) throw new StraitError(ErrorCode.INVALID_REQUEST, `from_offset ${String(from)} is not a positive integer.`);
  const wait = Math.min(Math.max(0, Number(req.maxWaitMs) || 0), MAX_FETCH_WAIT_MS);
  if (from > deps.state.appliedIndex && wait > 0) await deps.state.waitFor(from, wait).catch(() => undefined);
  const leaderId = quorum.leaderId() ?? -1;
  const read = quorum.readCommitted(from, MAX_FETCH_ENTRIES);
  if (!Array.isArray(read)) {
    const snap = quorum.snapshot()!;
    return { errorCode: ErrorCode.NONE, errorMessage: '', leaderId, hasSnapshot: true, snapshotLastIndex: snap.lastIndex, snapshot: snap.data, entries: [] };
  }
  return { errorCode: ErrorCode.NONE, errorMessage: '', leaderId, hasSnapshot: false, entries: read.map(entryToProto) };
}

/** The fields every Quorum answer carries for an error. */
const failure = (code: number, message: string) => ({ errorCode: code as ErrorCodeValue, errorMessage: message });

export function quorumHandlers(deps: QuorumServiceDeps, adapter: AdapterDeps): wire.QuorumHandlers {
  const timeout = (ms: unknown): number => (Number.isInteger(ms) && (ms as number) > 0 ? (ms as number) : deps.requestTimeoutMs);
  return {
    Raft: unary('Raft', async (env: wire.RaftEnvelope__Output): Promise<wire.RaftAck> => {
      if (env.clusterId !== deps.clusterId) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, clusterId: deps.clusterId };
      if (!deps.quorum) return { errorCode: ErrorCode.INVALID_REQUEST, clusterId: deps.clusterId };
      return deps.quorum.receive(env);
    }, adapter, (code) => ({ errorCode: code as ErrorCodeValue, clusterId: deps.clusterId })),

    FetchMetadata: unary('FetchMetadata', async (req: wire.FetchMetadataRequest__Output) => {
      checkCluster(deps, req.clusterId);
      return fetchMetadata(deps, req);
    }, adapter, (code, message) => ({ ...failure(code, message), leaderId: deps.quorum?.leaderId() ?? -1 })),

    BrokerRegistration: unary('BrokerRegistration', async (req: wire.BrokerRegistrationRequest__Output): Promise<wire.BrokerRegistrationResponse> => {
      checkCluster(deps, req.clusterId);
      const { response, offset } = await decide(deps, 'registerBroker', {
        brokerId: req.brokerId, incarnationId: req.incarnationId, host: req.host, port: req.port,
        ...(req.rack ? { rack: req.rack } : {}), clusterId: req.clusterId,
      }, deps.requestTimeoutMs);
      return { errorCode: ErrorCode.NONE, errorMessage: '', brokerEpoch: (response as BrokerRegistrationResponse).brokerEpoch, metadataOffset: offset };
    }, adapter, (code, message) => ({ ...failure(code, message), brokerEpoch: -1 })),

    BrokerHeartbeat: unary('BrokerHeartbeat', async (req: wire.BrokerHeartbeatRequest__Output): Promise<wire.BrokerHeartbeatResponse> => {
      checkCluster(deps, req.clusterId);
      const { response } = await decide(deps, 'brokerHeartbeat', {
        brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, currentMetadataOffset: req.currentMetadataOffset,
        wantFence: req.wantFence, wantShutdown: req.wantShutdown, offlineReplicas: req.offlineReplicas,
      }, deps.requestTimeoutMs);
      return { errorCode: ErrorCode.NONE, errorMessage: '', ...(response as BrokerHeartbeatResponse) };
    }, adapter, (code, message) => ({ ...failure(code, message), isCaughtUp: false, isFenced: true, shouldShutDown: false })),

    AllocateProducerIds: unary('AllocateProducerIds', async (req: wire.AllocateProducerIdsRequest__Output): Promise<wire.AllocateProducerIdsResponse> => {
      checkCluster(deps, req.clusterId);
      const { response } = await decide(deps, 'allocateProducerIds', { brokerId: req.brokerId, brokerEpoch: req.brokerEpoch }, deps.requestTimeoutMs);
      return { errorCode: ErrorCode.NONE, errorMessage: '', ...(response as ProducerIdBlock) };
    }, adapter, (code, message) => ({ ...failure(code, message), firstProducerId: -1, size: 0 })),

    ControllerWrite: unary('ControllerWrite', async (req: wire.ControllerWriteRequest__Output): Promise<wire.ControllerWriteResponse> => {
      checkCluster(deps, req.clusterId);
      const operation = req.operation as ControllerOperation;
      if (!FORWARDED_OPERATIONS.includes(operation)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${req.operation} cannot be forwarded.`);
      let request: unknown;
      try {
        request = JSON.parse(req.requestJson);
      } catch {
        throw new StraitError(ErrorCode.INVALID_REQUEST, 'request_json is not JSON.');
      }
      const requestId = requestIdOf(operation, req.requestId);
      const { response, offset } = await decide(deps, operation, request as ControllerWrites[typeof operation], timeout(req.timeoutMs), requestId);
      return { errorCode: ErrorCode.NONE, errorMessage: '', responseJson: JSON.stringify(response), metadataOffset: offset };
    }, adapter, (code, message) => ({ ...failure(code, message), responseJson: '', metadataOffset: -1 })),
  };
}
