// How this node reaches the active controller: directly when it is the controller, else over gRPC
// to the Raft leader's listener (typed Quorum RPCs for broker lifecycle and producer ids,
// ControllerWrite for forwarded admin writes). With no leader known after a short wait the answer is
// NOT_CONTROLLER (retriable); a write answers only once this node has applied its offset, so a
// Metadata call here right after it sees the change. An admin write gets a request id here, kept
// across the retries, so a retry of one that committed is answered with its own result.
import { randomUUID } from 'node:crypto';
import { ErrorCode, StraitError } from '../../client/index.js';
import type { ActiveController } from './active-controller.js';
import type { BrokerHeartbeatResponse, BrokerRegistrationResponse } from './controller-brokers.js';
import { decisionFor, type ControllerOperation, type ControllerWrites, type DecisionContext } from './controller-operations.js';
import type { ProducerIdBlock } from './controller-producer-ids.js';
import { ANSWERED_ONCE, answerOnce } from './controller-retries.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import type { QuorumClients, QuorumMethod } from '../quorum/quorum-clients.js';
import type { QuorumView } from '../quorum/quorum-view.js';

export interface ControllerChannelOptions {
  quorum: QuorumView;
  /** This node's controller, when it is a voter. */
  controller: ActiveController | undefined;
  decisionContext: DecisionContext;
  clients: QuorumClients;
  state: MetadataState;
  clusterId: string;
  /** How long to wait for a leader to be known before answering NOT_CONTROLLER. */
  leaderWaitMs: number;
}

interface RemoteAnswer {
  errorCode: number;
  errorMessage: string;
  metadataOffset?: number;
}

const RETRY_MS = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ControllerAnswer<R> {
  response: R;
  offset: number;
}

export class ControllerChannel {
  constructor(private readonly options: ControllerChannelOptions) {}

  /** Runs a controller write; errors are StraitErrors with Kafka's codes. */
  async run<O extends ControllerOperation>(operation: O, request: ControllerWrites[O], timeoutMs: number): Promise<ControllerAnswer<unknown>> {
    const { quorum, controller, state } = this.options;
    const deadline = Date.now() + timeoutMs;
    // NOT_CONTROLLER once no leader has been known for leaderWaitMs in a row: a leader lost during
    // the request (a retry after its controller died) gets the whole wait for the next election.
    let noLeaderSince: number | undefined;
    const requestId = ANSWERED_ONCE.has(operation) ? randomUUID() : undefined;
    for (;;) {
      const leader = quorum.leaderId();
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new StraitError(ErrorCode.REQUEST_TIMED_OUT, `The controller did not answer ${operation} within ${timeoutMs} ms.`);
      if (leader === undefined) {
        noLeaderSince ??= Date.now();
        if (Date.now() - noLeaderSince >= this.options.leaderWaitMs) {
          throw new StraitError(ErrorCode.NOT_CONTROLLER, 'No active controller is known: the metadata quorum has no leader.');
        }
        await sleep(RETRY_MS);
        continue;
      }
      noLeaderSince = undefined;
      try {
        let answer: ControllerAnswer<unknown>;
        if (leader === quorum.nodeId && controller?.isActive) {
          const decision = decisionFor(operation, request, this.options.decisionContext);
          answer = await controller.decide(operation, requestId === undefined ? decision : answerOnce(operation, requestId, decision), remaining);
        } else if (leader === quorum.nodeId) {
          await sleep(RETRY_MS);
          continue;
        } else {
          answer = await this.remote(leader, operation, request, remaining, requestId);
        }
        await state.waitFor(answer.offset, Math.max(0, deadline - Date.now()));
        return answer;
      } catch (err) {
        const retriable = err instanceof StraitError && (err.code === ErrorCode.NOT_CONTROLLER || err.code === ErrorCode.NETWORK_EXCEPTION);
        if (!retriable || Date.now() + RETRY_MS >= deadline) throw err;
        await sleep(RETRY_MS);
      }
    }
  }

  private async remote<O extends ControllerOperation>(
    leader: number, operation: O, request: ControllerWrites[O], timeoutMs: number, requestId: string | undefined,
  ): Promise<ControllerAnswer<unknown>> {
    const address = this.options.quorum.voterAddress(leader);
    if (address === undefined) throw new StraitError(ErrorCode.NOT_CONTROLLER, `The leader ${leader} is not a known voter.`);
    const clusterId = this.options.clusterId;
    const call = <Res extends RemoteAnswer>(method: QuorumMethod, req: object): Promise<Res> =>
      this.options.clients.call<object, Res>(address, method, { clusterId, ...req }, timeoutMs).then((res) => {
        if (res.errorCode !== ErrorCode.NONE) throw new StraitError(res.errorCode, res.errorMessage);
        return res;
      });
    switch (operation) {
      case 'registerBroker': {
        const r = request as ControllerWrites['registerBroker'];
        const res = await call<RemoteAnswer & { brokerEpoch: number }>('BrokerRegistration', {
          brokerId: r.brokerId, incarnationId: r.incarnationId, host: r.host, port: r.port, rack: r.rack ?? '',
        });
        const response: BrokerRegistrationResponse = { brokerEpoch: res.brokerEpoch };
        return { response, offset: res.metadataOffset ?? 0 };
      }
      case 'brokerHeartbeat': {
        const r = request as ControllerWrites['brokerHeartbeat'];
        const res = await call<RemoteAnswer & BrokerHeartbeatResponse>('BrokerHeartbeat', {
          brokerId: r.brokerId, brokerEpoch: r.brokerEpoch, currentMetadataOffset: r.currentMetadataOffset,
          wantFence: r.wantFence, wantShutdown: r.wantShutdown, offlineReplicas: r.offlineReplicas ?? [],
        });
        const response: BrokerHeartbeatResponse = { isCaughtUp: res.isCaughtUp, isFenced: res.isFenced, shouldShutDown: res.shouldShutDown };
        // A heartbeat's records need not be applied here before the broker goes on.
        return { response, offset: 0 };
      }
      case 'allocateProducerIds': {
        const r = request as ControllerWrites['allocateProducerIds'];
        const res = await call<RemoteAnswer & { firstProducerId: number; size: number }>('AllocateProducerIds', r);
        const response: ProducerIdBlock = { firstProducerId: res.firstProducerId, size: res.size };
        return { response, offset: 0 };
      }
      default: {
        const res = await call<RemoteAnswer & { responseJson: string }>('ControllerWrite', {
          operation, requestJson: JSON.stringify(request), timeoutMs, requestId: requestId ?? '',
        });
        return { response: JSON.parse(res.responseJson) as unknown, offset: res.metadataOffset ?? 0 };
      }
    }
  }
}
