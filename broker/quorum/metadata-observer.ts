// A broker that is not a voter follows the metadata log from outside: it long-polls FetchMetadata on
// the leader (or, while none is known, on each voter in turn) from its applied offset + 1, loads a
// snapshot when the voter has compacted that far, and applies the committed entries in order.
import type { Logger } from 'pino';
import { ErrorCode, type wire } from '../../client/index.js';
import type { QuorumVoter } from '../config/broker-config.js';
import type { LogEntry } from './raft/index.js';
import type { MetadataState } from './metadata-state.js';
import type { QuorumClients } from './quorum-clients.js';
import { entryFromProto } from './raft-codec.js';
import { voterAddressOf, type QuorumView } from './quorum-view.js';

const RETRY_MS = 100;

export interface MetadataObserverOptions {
  nodeId: number;
  voters: readonly QuorumVoter[];
  clusterId: string;
  fetchTimeoutMs: number;
  state: MetadataState;
  clients: QuorumClients;
  logger: Logger;
  onFatal: (message: string) => void;
}

export class MetadataObserver implements QuorumView {
  readonly nodeId: number;
  readonly voters: readonly QuorumVoter[];
  private leader: number | undefined;
  private next = 0;
  private stopped = false;
  private readonly foreign = new Set<number>();

  constructor(private readonly options: MetadataObserverOptions) {
    this.nodeId = options.nodeId;
    this.voters = options.voters;
  }

  leaderId(): number | undefined {
    return this.leader;
  }

  term(): number {
    return 0;
  }

  voterAddress(id: number): string | undefined {
    return voterAddressOf(this.voters, id);
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
  }

  private target(): number {
    if (this.leader !== undefined) return this.leader;
    this.next = (this.next + 1) % this.voters.length;
    return this.voters[this.next]!.id;
  }

  private async loop(): Promise<void> {
    const { state, clients, clusterId, fetchTimeoutMs, logger } = this.options;
    while (!this.stopped) {
      const voter = this.target();
      try {
        const res = await clients.call<object, wire.FetchMetadataResponse__Output>(this.voterAddress(voter)!, 'FetchMetadata', {
          clusterId, nodeId: this.nodeId, fromOffset: state.appliedIndex + 1, maxWaitMs: Math.floor(fetchTimeoutMs / 2),
        }, fetchTimeoutMs);
        if (this.stopped) return;
        if (res.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID) {
          this.foreign.add(voter);
          if (this.foreign.size * 2 > this.voters.length) {
            this.stopped = true;
            this.options.onFatal(`This node's cluster id ${clusterId} differs from the quorum's: ${res.errorMessage}`);
            return;
          }
          this.leader = undefined;
          continue;
        }
        if (res.errorCode !== ErrorCode.NONE) throw new Error(res.errorMessage);
        const leader = res.leaderId >= 0 ? res.leaderId : undefined;
        if (leader !== this.leader) logger.info({ leader: leader ?? -1 }, 'metadata quorum leader changed');
        this.leader = leader;
        if (res.hasSnapshot) state.loadSnapshot(res.snapshotLastIndex, res.snapshot);
        const entries: LogEntry[] = [];
        for (const e of res.entries) {
          const entry = entryFromProto(e);
          if (entry) entries.push(entry);
        }
        state.applyCommitted(entries);
      } catch (err) {
        if (this.stopped) return;
        this.leader = undefined;
        logger.debug({ err: (err as Error).message, voter }, 'metadata fetch failed; trying another voter');
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
