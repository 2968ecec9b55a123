// The Quorum gRPC service of one node: Raft messages into the voter's driver, committed metadata for
// brokers that are not voters, and the active controller's broker-lifecycle, producer-id and
// forwarded-write calls. Every answer carries a Kafka error code; a foreign cluster id is answered
// with INCONSISTENT_CLUSTER_ID and changes nothing. Nothing a peer sends can throw out of a handler.
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ErrorCode, StraitError, type ErrorCodeValue, type wire } from '../../client/index.js';
import type { ActiveController } from '../controller/active-controller.js';
import {
  decisionFor, FORWARDED_OPERATIONS, type ControllerOperation, type ControllerWrites, type DecisionContext,
} from '../controller/controller-operations.js';
import type { BrokerHeartbeatResponse, BrokerRegistrationResponse, ProducerIdBlock } from '../metadata/index.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import { MalformedRequest } from './tolerant-deserializer.js';
import { entryToProto } from '../quorum/raft-codec.js';
import type { RaftQuorum } from '../quorum/raft-quorum.js';

export interface QuorumServiceDeps {
  clusterId: string;
  state: MetadataState;
  /** Undefined on a node that is not a voter. */
  quorum: RaftQuorum | undefined;
  controller: ActiveController | undefined;
  decisionContext: DecisionContext;
  requestTimeoutMs: number;
  logger: Logger;
}

const MAX_FETCH_ENTRIES = 1000;
const MAX_FETCH_WAIT_MS = 30_000;

interface ErrorAnswer { errorCode: ErrorCodeValue; errorMessage: string }

function errorOf(err: unknown): ErrorAnswer {
  if (err instanceof StraitError) return { errorCode: err.code as ErrorCodeValue, errorMessage: err.message };
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: err instanceof Error ? err.message : String(err) };
}

function handler<Req, Res>(
  deps: QuorumServiceDeps, name: string, run: (req: Req) => Promise<Res> | Res, onError: (e: ErrorAnswer) => Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve().then(() => {
      if (call.request instanceof MalformedRequest) throw new StraitError(ErrorCode.INVALID_REQUEST, `undecodable ${name} request: ${call.request.reason}`);
      return run(call.request);
    }).then((res) => callback(null, res), (err: unknown) => {
      if (!(err instanceof StraitError)) deps.logger.error({ err, rpc: name }, 'quorum call failed');
      callback(null, onError(errorOf(err)));
    }).catch((err: unknown) => {
      // Answering failed (not the request): logged, never an unhandled rejection, which ends the process.
      deps.logger.error({ err, rpc: name }, 'quorum answer failed');
    });
  };
}

function checkCluster(deps: QuorumServiceDeps, clusterId: unknown): void {
  if (clusterId !== deps.clusterId) {
    throw new StraitError(ErrorCode.INCONSISTENT_CLUSTER_ID, `This node belongs to cluster ${deps.clusterId}, the request to ${String(clusterId)}.`);
  }
}

async function decide<O extends ControllerOperation>(deps: QuorumServiceDeps, operation: O, request: ControllerWrites[O], timeoutMs: number) {
  if (!deps.controller?.isActive) throw new StraitError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
  return deps.controller.decide(operation, decisionFor(operation, request, deps.decisionContext), timeoutMs);
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

export function quorumHandlers(deps: QuorumServiceDeps): wire.QuorumHandlers {
  const timeout = (ms: unknown): number => (Number.isInteger(ms) && (ms as number) > 0 ? (ms as number) : deps.requestTimeoutMs);
  return {
    Raft: handler(deps, 'Raft', (env) => {
      if (env.clusterId !== deps.clusterId) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, clusterId: deps.clusterId };
      if (!deps.quorum) return { errorCode: ErrorCode.INVALID_REQUEST, clusterId: deps.clusterId };
      return deps.quorum.receive(env);
    }, (e) => ({ errorCode: e.errorCode, clusterId: deps.clusterId })),

    FetchMetadata: handler(deps, 'FetchMetadata', (req) => {
      checkCluster(deps, req.clusterId);
      return fetchMetadata(deps, req);
    }, (e) => ({ ...e, leaderId: deps.quorum?.leaderId() ?? -1 })),

    BrokerRegistration: handler(deps, 'BrokerRegistration', async (req) => {
      checkCluster(deps, req.clusterId);
      const { response, offset } = await decide(deps, 'registerBroker', {
        brokerId: req.brokerId, incarnationId: req.incarnationId, host: req.host, port: req.port,
        ...(req.rack ? { rack: req.rack } : {}), clusterId: req.clusterId,
      }, deps.requestTimeoutMs);
      return { errorCode: ErrorCode.NONE, errorMessage: '', brokerEpoch: (response as BrokerRegistrationResponse).brokerEpoch, metadataOffset: offset };
    }, (e) => ({ ...e, brokerEpoch: -1 })),

    BrokerHeartbeat: handler(deps, 'BrokerHeartbeat', async (req) => {
      checkCluster(deps, req.clusterId);
      const { response } = await decide(deps, 'brokerHeartbeat', {
        brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, currentMetadataOffset: req.currentMetadataOffset,
        wantFence: req.wantFence, wantShutdown: req.wantShutdown, offlineReplicas: req.offlineReplicas,
      }, deps.requestTimeoutMs);
      return { errorCode: ErrorCode.NONE as ErrorCodeValue, errorMessage: '', ...(response as BrokerHeartbeatResponse) };
    }, (e) => ({ ...e, isCaughtUp: false, isFenced: true, shouldShutDown: false })),

    AllocateProducerIds: handler(deps, 'AllocateProducerIds', async (req) => {
      checkCluster(deps, req.clusterId);
      const { response } = await decide(deps, 'allocateProducerIds', { brokerId: req.brokerId, brokerEpoch: req.brokerEpoch }, deps.requestTimeoutMs);
      return { errorCode: ErrorCode.NONE, errorMessage: '', ...(response as ProducerIdBlock) };
    }, (e) => ({ ...e, firstProducerId: -1, size: 0 })),

    ControllerWrite: handler(deps, 'ControllerWrite', async (req) => {
      checkCluster(deps, req.clusterId);
      const operation = req.operation as ControllerOperation;
      if (!FORWARDED_OPERATIONS.includes(operation)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${req.operation} cannot be forwarded.`);
      let request: unknown;
      try {
        request = JSON.parse(req.requestJson);
      } catch {
        throw new StraitError(ErrorCode.INVALID_REQUEST, 'request_json is not JSON.');
      }
      const { response, offset } = await decide(deps, operation, request as ControllerWrites[typeof operation], timeout(req.timeoutMs));
      return { errorCode: ErrorCode.NONE, errorMessage: '', responseJson: JSON.stringify(response), metadataOffset: offset };
    }, (e) => ({ ...e, responseJson: '', metadataOffset: -1 })),
  };
}
