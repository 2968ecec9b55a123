// The active controller: the Raft leader of the metadata quorum. It decides writes one at a time
// against a speculative image (the committed image plus its own appended, not yet committed
// records), appends the decision's records as one batch and answers once they are committed and
// applied here. It tracks broker sessions and fences expired brokers on a timer. On losing the
// leadership it drops the speculative image and the sessions and answers what is pending with
// NOT_CONTROLLER; a new active controller starts every broker with a full session. With
// auto.leader.rebalance.enable it also moves leaderships back to preferred replicas on a timer.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/index.js';
import { MetadataImage, type AppliedRecord, type MetadataRecord } from '../metadata/index.js';
import { BrokerSessions, fenceExpiredBrokers, initializeCluster } from './controller-brokers.js';
import { balanceLeaders } from './controller-elections.js';
import type { ControllerResult } from './controller-result.js';
import { decodeRecordBatch, RECORDS_PER_ENTRY } from '../quorum/metadata-batch.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import type { RaftQuorum } from '../quorum/raft-quorum.js';

/** Decisions worth a log line when they write (heartbeats and fencing checks are too frequent). */
const LOGGED_OPERATIONS = new Set([
  'registerBroker', 'createTopics', 'deleteTopics', 'createPartitions', 'incrementalAlterConfigs', 'allocateProducerIds',
  'electLeaders', 'alterPartitionReassignments',
]);

export interface ControllerObserver {
  decisionDone(operation: string, seconds: number): void;
}

export interface ActiveControllerOptions {
  quorum: RaftQuorum;
  state: MetadataState;
  clusterId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  logger: Logger;
  observer?: ControllerObserver;
  now?: () => number;
  /** auto.leader.rebalance.enable: every leader.imbalance.check.interval.seconds, preferred
   * elections for the brokers above leader.imbalance.per.broker.percentage. Absent: disabled. */
  leaderBalance?: { intervalMs: number; imbalancePercentage: number };
}

export interface Decided<R> {
  readonly response: R;
  /** The last log offset of the decision's records (or of the writes before it when it had none). */
  readonly offset: number;
}

export type Decision<R> = (image: MetadataImage, sessions: BrokerSessions, now: number) => ControllerResult<R>;

export class ActiveController {
  private active = false;
  private speculative = MetadataImage.EMPTY;
  private sessions = new BrokerSessions();
  /** The last index this controller has appended. */
  private lastProposed = 0;
  private fenceTimer: NodeJS.Timeout | undefined;
  private balanceTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<(err: Error) => void>();
  private readonly now: () => number;

  constructor(private readonly options: ActiveControllerOptions) {
    this.now = options.now ?? Date.now;
    options.quorum.onLeaderChange((leaderId) => {
      if (leaderId === options.quorum.nodeId) this.activate();
      else this.deactivate();
    });
    options.state.onChange((image) => {
      // Once everything appended has been applied, the committed image is the speculative one.
      if (this.active && options.state.appliedIndex >= this.lastProposed) this.speculative = image;
    });
  }

  get isActive(): boolean {
    return this.active;
  }

  /** The image decisions are made against (tests and diagnostics). */
  get image(): MetadataImage {
    return this.speculative;
  }

  private activate(): void {
    if (this.active) return;
    const { quorum, state, logger } = this.options;
    const tail: AppliedRecord[] = [];
    for (const entry of quorum.unappliedEntries()) {
      if (entry.kind === 'data') tail.push(...decodeRecordBatch(entry.index, entry.data));
      this.lastProposed = Math.max(this.lastProposed, entry.index);
    }
    this.lastProposed = Math.max(this.lastProposed, state.appliedIndex);
    try {
      this.speculative = state.image.applyAll(tail);
    } catch (err) {
      logger.error({ err }, 'uncommitted metadata tail contradicts the image; deciding against the committed image');
      this.speculative = state.image;
    }
    this.sessions = new BrokerSessions();
    this.active = true;
    logger.info({ term: quorum.status().term, metadataOffset: state.appliedIndex }, 'became the active controller');
    try {
      const records = initializeCluster(this.speculative, this.options.clusterId);
      if (records.length > 0) this.append(records);
    } catch (err) {
      logger.fatal({ err }, 'the metadata log belongs to another cluster; not acting as controller');
      this.active = false;
      return;
    }
    const every = Math.max(50, Math.floor(this.options.heartbeatIntervalMs / 2));
    this.fenceTimer = setInterval(() => this.fenceExpired(), every);
    this.fenceTimer.unref();
    const balance = this.options.leaderBalance;
    if (balance) {
      this.balanceTimer = setInterval(() => this.balanceLeaders(balance.imbalancePercentage), balance.intervalMs);
      this.balanceTimer.unref();
    }
  }

  private deactivate(): void {
    if (!this.active) return;
    this.active = false;
    if (this.fenceTimer) clearInterval(this.fenceTimer);
    if (this.balanceTimer) clearInterval(this.balanceTimer);
    this.fenceTimer = undefined;
    this.balanceTimer = undefined;
    this.speculative = MetadataImage.EMPTY;
    this.sessions = new BrokerSessions();
    const err = new StraitError(ErrorCode.NOT_CONTROLLER, 'The controller lost its leadership before the change committed.');
    for (const reject of this.pending) reject(err);
    this.pending.clear();
    this.options.logger.info('no longer the active controller');
  }

  stop(): void {
    this.deactivate();
  }

  private append(records: readonly MetadataRecord[]): number {
    const { firstIndex, lastIndex } = this.options.quorum.propose(records);
    this.lastProposed = lastIndex;
    // A quorum of one commits and applies inside propose: the committed image is then current.
    const { state } = this.options;
    this.speculative = state.appliedIndex >= lastIndex
      ? state.image
      : this.speculative.applyAll(records.map((record, i) => ({
        record, offset: (firstIndex + Math.floor(i / RECORDS_PER_ENTRY)) * RECORDS_PER_ENTRY + (i % RECORDS_PER_ENTRY),
      })));
    return lastIndex;
  }

  /**
   * Runs one decision against the speculative image, appends its records and resolves once they are
   * applied here. NOT_CONTROLLER when this node is not (or stops being) the active controller,
   * REQUEST_TIMED_OUT when the records do not commit within timeoutMs.
   */
  async decide<R>(operation: string, decision: Decision<R>, timeoutMs: number): Promise<Decided<R>> {
    if (!this.active) throw new StraitError(ErrorCode.NOT_CONTROLLER, `Node ${this.options.quorum.nodeId} is not the active controller.`);
    const started = performance.now();
    let offset: number;
    let response: R;
    let records = 0;
    let repeats: ControllerResult<R>['repeats'];
    try {
      const result = decision(this.speculative, this.sessions, this.now());
      response = result.response;
      records = result.records.length;
      repeats = result.repeats;
      offset = result.records.length > 0 ? this.append(result.records) : this.lastProposed;
    } finally {
      this.options.observer?.decisionDone(operation, (performance.now() - started) / 1000);
    }
    await new Promise<void>((resolve, reject) => {
      this.pending.add(reject);
      this.options.state.waitFor(offset, timeoutMs).then(resolve, reject).finally(() => this.pending.delete(reject));
    });
    if (records > 0 && LOGGED_OPERATIONS.has(operation)) this.options.logger.info({ operation, records, offset, response }, 'controller decision committed');
    if (repeats) this.options.logger.info({ operation, ...repeats, response }, 'controller answered a retried request with the result of its committed original');
    return { response, offset };
  }

  private fenceExpired(): void {
    if (!this.active) return;
    const { sessionTimeoutMs, logger } = this.options;
    const waitMs = Math.max(1000, this.options.heartbeatIntervalMs);
    this.decide('fenceExpiredBrokers', (image, sessions, now) => fenceExpiredBrokers(image, sessions, now, sessionTimeoutMs), waitMs)
      .then(({ response }) => {
        if (response.fencedBrokers.length > 0) logger.warn({ brokers: response.fencedBrokers, sessionTimeoutMs }, 'fenced brokers whose session expired');
      }, (err: unknown) => {
        if (!(err instanceof StraitError)) logger.error({ err }, 'fencing expired brokers failed');
      });
  }

  private balanceLeaders(imbalancePercentage: number): void {
    if (!this.active) return;
    const { logger } = this.options;
    this.decide('balanceLeaders', (image) => balanceLeaders(image, imbalancePercentage), Math.max(1000, this.options.heartbeatIntervalMs))
      .then(({ response }) => {
        if (response.length > 0) logger.info({ partitions: response.map((r) => `${r.topic}-${r.partition}`), imbalancePercentage }, 'auto leader rebalance: preferred replicas elected');
      }, (err: unknown) => {
        if (!(err instanceof StraitError)) logger.error({ err }, 'auto leader rebalance failed');
      });
  }
}
