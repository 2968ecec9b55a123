// Assembles a node's part in the metadata quorum from its config: a voter runs the Raft driver and
// the active controller over `<first log dir>/__cluster_metadata-0`; a broker that is not a voter
// follows the log through FetchMetadata. Both feed one MetadataState; the ControllerChannel reaches
// the active controller wherever it is. The Quorum gRPC service (broker/rpc/) answers the other
// nodes from these parts.
import path from 'node:path';
import type { Logger } from 'pino';
import type { BrokerConfig, QuorumVoter } from '../config/broker-config.js';
import { ActiveController, ControllerChannel, type ControllerObserver, type DecisionContext } from '../controller/index.js';
import { CLUSTER_METADATA_DIR, type TopicConfig } from '../log/index.js';
import { MetadataObserver } from '../quorum/metadata-observer.js';
import { MetadataState } from '../quorum/metadata-state.js';
import { QuorumClients } from '../quorum/quorum-clients.js';
import type { QuorumView } from '../quorum/quorum-view.js';
import { RaftQuorum } from '../quorum/raft-quorum.js';

export interface MetadataNodeOptions {
  config: BrokerConfig;
  clusterId: string;
  topicDefaults: TopicConfig;
  logger: Logger;
  onFatal: (message: string) => void;
  observer?: ControllerObserver;
}

export interface MetadataNode {
  readonly state: MetadataState;
  readonly clients: QuorumClients;
  readonly quorum: QuorumView;
  /** Set on a voter. */
  readonly raft: RaftQuorum | undefined;
  readonly controller: ActiveController | undefined;
  readonly channel: ControllerChannel;
  /** What a controller decision needs besides the image (topic defaults, session timeout). */
  readonly decisionContext: DecisionContext;
  /** The voters; a node without controller.quorum.voters is the only one, at its own listener
   * (whose port is filled in by setOwnPort once bound). */
  readonly voters: QuorumVoter[];
  setOwnPort(port: number): void;
  start(): void;
  stop(): void;
}

/** True when this node is the whole quorum (no controller.quorum.voters, or only itself). */
export function isSingleVoter(config: BrokerConfig): boolean {
  const voters = config.quorumVoters;
  return voters === undefined || (voters.length === 1 && voters[0]!.id === config.nodeId);
}

export function createMetadataNode(options: MetadataNodeOptions): MetadataNode {
  const { config, clusterId, logger, onFatal } = options;
  const quorumLogger = logger.child({ component: 'quorum' });
  const state = new MetadataState(quorumLogger);
  const clients = new QuorumClients();
  const self: QuorumVoter = { id: config.nodeId, host: config.advertised.host, port: config.listener.port };
  const voters = config.quorumVoters ? config.quorumVoters.map((v) => ({ ...v })) : [self];
  const decisionContext: DecisionContext = { topicDefaults: options.topicDefaults, sessionTimeoutMs: config.brokerSessionTimeoutMs };
  let raft: RaftQuorum | undefined;
  let controller: ActiveController | undefined;
  let observer: MetadataObserver | undefined;
  if (config.processRoles.includes('controller')) {
    raft = new RaftQuorum({
      nodeId: config.nodeId, voters, clusterId, dir: path.join(config.logDirs[0]!, CLUSTER_METADATA_DIR),
      electionTimeoutMs: config.electionTimeoutMs, requestTimeoutMs: config.quorumRequestTimeoutMs,
      snapshotIntervalRecords: config.snapshotIntervalRecords, state, clients, logger: quorumLogger, onFatal,
    });
    controller = new ActiveController({
      quorum: raft, state, clusterId, sessionTimeoutMs: config.brokerSessionTimeoutMs,
      heartbeatIntervalMs: config.brokerHeartbeatIntervalMs, logger: logger.child({ component: 'controller' }),
      ...(options.observer ? { observer: options.observer } : {}),
      ...(config.autoLeaderRebalanceEnable
        ? { leaderBalance: { intervalMs: config.leaderImbalanceCheckIntervalMs, imbalancePercentage: config.leaderImbalancePerBrokerPercentage } }
        : {}),
    });
  } else {
    observer = new MetadataObserver({
      nodeId: config.nodeId, voters, clusterId, fetchTimeoutMs: config.quorumFetchTimeoutMs, state, clients, logger: quorumLogger, onFatal,
    });
  }
  const quorum: QuorumView = raft ?? observer!;
  const channel = new ControllerChannel({
    quorum, controller, decisionContext, clients, state, clusterId,
    // An election takes one to two election timeouts; a little longer than that, then NOT_CONTROLLER.
    leaderWaitMs: 3 * config.electionTimeoutMs,
  });
  return {
    state, clients, quorum, raft, controller, channel, decisionContext, voters,
    setOwnPort(port) {
      if (!config.quorumVoters) self.port = port;
    },
    start() {
      raft?.start();
      observer?.start();
    },
    stop() {
      controller?.stop();
      raft?.stop();
      observer?.stop();
      clients.close();
    },
  };
}
