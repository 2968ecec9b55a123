// A broker's membership: registers with the active controller (retrying until one answers),
// heartbeats every broker.heartbeat.interval.ms (faster while still fenced, so a new broker is
// unfenced as soon as it has caught up), registers again after STALE_BROKER_EPOCH, and on shutdown
// asks for a controlled shutdown until the controller says the leaderships have moved away. Every
// heartbeat carries the replicas whose logs are offline here (Kafka's heartbeat carries the offline
// log dirs), so that the controller moves their leadership and shows them offline.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/index.js';
import type { BrokerHeartbeatResponse, BrokerRegistrationResponse, ControllerChannel } from '../controller/index.js';
import type { ReplicaRef } from '../metadata/index.js';
import type { MetadataState } from '../quorum/metadata-state.js';

export interface BrokerLifecycleOptions {
  nodeId: number;
  clusterId: string;
  advertised: { host: string; port: number };
  rack: string;
  heartbeatIntervalMs: number;
  requestTimeoutMs: number;
  channel: ControllerChannel;
  state: MetadataState;
  logger: Logger;
  onFatal: (message: string) => void;
  /** Told once, the first time the controller says this broker has caught up. */
  onCaughtUp?: () => void;
  /** Whether an active controller is known (a controlled shutdown without one cannot move anything). */
  controllerKnown: () => boolean;
  /** This broker's replicas whose logs are offline here, sent with every heartbeat. */
  offlineReplicas?: () => ReplicaRef[];
}

const FENCED_HEARTBEAT_MS = 100;
const RETRY_MS = 200;

export class BrokerLifecycle {
  readonly incarnationId = randomUUID();
  private epoch = -1;
  private fenced = true;
  private caughtUp = false;
  private stopped = false;
  private shuttingDown = false;
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  /** heartbeatSoon() was called while a heartbeat was in flight: send the next one at once. */
  private beatAgain = false;
  private unfencedWaiters: (() => void)[] = [];

  constructor(private readonly options: BrokerLifecycleOptions) {}

  get brokerEpoch(): number {
    return this.epoch;
  }

  get isFenced(): boolean {
    return this.fenced;
  }

  start(): void {
    this.schedule(0);
  }

  /** Resolves when this broker is first unfenced, or after timeoutMs (false). */
  whenUnfenced(timeoutMs: number): Promise<boolean> {
    if (!this.fenced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.unfencedWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Sends the next heartbeat now rather than at the interval: something the controller must know
   * changed (a replica's log went offline). */
  heartbeatSoon(): void {
    if (this.stopped || this.shuttingDown || this.epoch < 0) return;
    if (this.beating) {
      this.beatAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped || this.shuttingDown) return;
    this.timer = setTimeout(() => void this.beat(), ms);
  }

  private fatalIfForeign(err: unknown): boolean {
    if (err instanceof StraitError && err.code === ErrorCode.INCONSISTENT_CLUSTER_ID) {
      this.stopped = true;
      this.options.onFatal(`The controller refuses this node's cluster id ${this.options.clusterId}: ${err.message}`);
      return true;
    }
    return false;
  }

  private async register(): Promise<void> {
    const { channel, nodeId, clusterId, advertised, rack, requestTimeoutMs, logger } = this.options;
    const { response } = await channel.run('registerBroker', {
      brokerId: nodeId, incarnationId: this.incarnationId, host: advertised.host, port: advertised.port,
      ...(rack ? { rack } : {}), clusterId,
    }, requestTimeoutMs);
    this.epoch = (response as BrokerRegistrationResponse).brokerEpoch;
    this.fenced = true;
    logger.info({ brokerEpoch: this.epoch, incarnationId: this.incarnationId }, 'registered with the active controller');
  }

  private async heartbeat(wantShutdown: boolean): Promise<BrokerHeartbeatResponse> {
    const { channel, nodeId, requestTimeoutMs, state } = this.options;
    const { response } = await channel.run('brokerHeartbeat', {
      // In the image's offset space (the controller compares it with record offsets).
      brokerId: nodeId, brokerEpoch: this.epoch, currentMetadataOffset: state.image.highestOffset, wantFence: false, wantShutdown,
      offlineReplicas: this.options.offlineReplicas?.() ?? [],
    }, requestTimeoutMs);
    return response as BrokerHeartbeatResponse;
  }

  private async beat(): Promise<void> {
    if (this.stopped || this.shuttingDown) return;
    const { logger, heartbeatIntervalMs } = this.options;
    this.beating = true;
    this.beatAgain = false;
    try {
      if (this.epoch < 0) await this.register();
      const answer = await this.heartbeat(false);
      this.observe(answer);
    } catch (err) {
      this.beating = false;
      if (this.fatalIfForeign(err)) return;
      if (err instanceof StraitError && err.code === ErrorCode.STALE_BROKER_EPOCH) {
        logger.warn({ brokerEpoch: this.epoch }, 'broker epoch is stale; registering again');
        this.epoch = -1;
      } else {
        logger.debug({ err: (err as Error).message }, 'heartbeat failed; retrying');
      }
      this.schedule(RETRY_MS);
      return;
    }
    this.beating = false;
    if (this.beatAgain) this.schedule(0);
    else this.schedule(this.fenced ? Math.min(FENCED_HEARTBEAT_MS, heartbeatIntervalMs) : heartbeatIntervalMs);
  }

  private observe(answer: BrokerHeartbeatResponse): void {
    if (answer.isCaughtUp && !this.caughtUp) {
      this.caughtUp = true;
      this.options.onCaughtUp?.();
    }
    if (answer.isFenced !== this.fenced) {
      this.options.logger.info({ brokerEpoch: this.epoch }, answer.isFenced ? 'this broker is fenced' : 'this broker is unfenced');
      this.fenced = answer.isFenced;
      if (!this.fenced) for (const w of this.unfencedWaiters.splice(0)) w();
    }
  }

  /** Asks the controller to move this broker's leaderships away, until it says to shut down or the
   * timeout passes; then stops heartbeating. */
  async controlledShutdown(timeoutMs: number): Promise<boolean> {
    this.shuttingDown = true;
    if (this.timer) clearTimeout(this.timer);
    const { logger } = this.options;
    if (this.epoch < 0 || this.stopped) {
      this.stopped = true;
      return false;
    }
    const deadline = Date.now() + timeoutMs;
    logger.info({ timeoutMs }, 'controlled shutdown: asking the controller to move leaderships away');
    while (Date.now() < deadline) {
      try {
        const answer = await this.heartbeat(true);
        if (answer.shouldShutDown) {
          logger.info('controlled shutdown: the controller has moved every leadership away');
          this.stopped = true;
          return true;
        }
      } catch (err) {
        logger.debug({ err: (err as Error).message }, 'controlled shutdown heartbeat failed');
        if (!this.options.controllerKnown()) {
          // The quorum is gone (its voters stop too): nobody can take the leaderships over.
          logger.warn('controlled shutdown: no active controller; shutting down without it');
          this.stopped = true;
          return false;
        }
      }
      await new Promise((r) => setTimeout(r, FENCED_HEARTBEAT_MS));
    }
    logger.warn({ timeoutMs }, 'controlled shutdown timed out; shutting down anyway');
    this.stopped = true;
    return false;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
