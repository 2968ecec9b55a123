// A controller voter's Raft driver: ticks the pure RaftNode on a timer, carries its messages to the
// other voters over gRPC (one way, with a deadline; a peer that is down costs a failed call), feeds
// received messages in, applies committed entries to the MetadataState in order, and snapshots the
// image into the Raft storage every `snapshotIntervalRecords` applied entries to bound the log. On a
// controlled shutdown the leader hands its leadership over (handOver) before the node stops.
import type { Logger } from 'pino';
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import type { QuorumVoter } from '../config/broker-config.js';
import type { MetadataRecord } from '../metadata/index.js';
import { encodeRecordBatch, RECORDS_PER_ENTRY } from './metadata-batch.js';
import { FileRaftStorage, RaftNode, type LogEntry, type RaftOutput, type RaftStatus, type ReadCommittedResult } from './raft/index.js';
import type { QuorumClients } from './quorum-clients.js';
import type { MetadataState } from './metadata-state.js';
import { fromEnvelope, toEnvelope } from './raft-codec.js';
import { voterAddressOf, type QuorumView } from './quorum-view.js';

export const TICK_MS = 20;

export interface RaftQuorumOptions {
  nodeId: number;
  voters: readonly QuorumVoter[];
  clusterId: string;
  /** The Raft storage directory (`<first log dir>/__cluster_metadata-0`). */
  dir: string;
  electionTimeoutMs: number;
  requestTimeoutMs: number;
  snapshotIntervalRecords: number;
  state: MetadataState;
  clients: QuorumClients;
  logger: Logger;
  /** A majority of the other voters belong to another cluster: this node must not go on. */
  onFatal: (message: string) => void;
  random?: () => number;
  now?: () => number;
}

export type LeaderListener = (leaderId: number | undefined, term: number) => void;

/** How a hand-over ended: the new leader as this node learned it, or why there is none. */
export type HandOverResult = { handedOver: true; leaderId: number; term: number } | { handedOver: false; reason: string };

export class RaftQuorum implements QuorumView {
  readonly nodeId: number;
  readonly voters: readonly QuorumVoter[];
  private readonly storage: FileRaftStorage;
  private readonly raft: RaftNode;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private readonly leaderListeners: LeaderListener[] = [];
  private readonly foreignPeers = new Map<number, string>();
  private lastSnapshotIndex: number;
  private stopped = false;
  leaderChanges = 0;

  constructor(private readonly options: RaftQuorumOptions) {
    this.nodeId = options.nodeId;
    this.voters = options.voters;
    this.now = options.now ?? Date.now;
    this.storage = FileRaftStorage.open(options.dir, {
      onCut: (cut) => options.logger.warn({ ...cut }, 'metadata log: torn tail cut on open'),
    });
    const snapshot = this.storage.snapshot();
    if (snapshot) options.state.loadSnapshot(snapshot.lastIndex, snapshot.data);
    this.lastSnapshotIndex = snapshot?.lastIndex ?? 0;
    const t = options.electionTimeoutMs;
    const alone = options.voters.length === 1;
    // A quorum of one needs no election timeout: it campaigns on its first tick.
    const start = alone ? this.now() - 2 * t : this.now();
    this.raft = new RaftNode({
      nodeId: options.nodeId,
      voters: options.voters.map((v) => v.id),
      electionTimeoutMinMs: t,
      electionTimeoutMaxMs: 2 * t,
      heartbeatIntervalMs: Math.max(1, Math.floor(t / 5)),
      maxEntriesPerAppend: 500,
      maxBytesPerAppend: 4 * 1024 * 1024,
    }, this.storage, options.random ?? Math.random, start);
    options.logger.info({ voters: options.voters.map((v) => v.id), ...this.summary() }, 'metadata quorum opened');
  }

  private summary(): { term: number; lastLogIndex: number; snapshotIndex: number } {
    const s = this.raft.status();
    return { term: s.term, lastLogIndex: s.lastLogIndex, snapshotIndex: s.snapshotIndex };
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  status(): RaftStatus {
    return this.raft.status();
  }

  leaderId(): number | undefined {
    return this.raft.status().leaderId;
  }

  isLeader(): boolean {
    return this.raft.status().role === 'leader';
  }

  onLeaderChange(listener: LeaderListener): void {
    this.leaderListeners.push(listener);
  }

  voterAddress(id: number): string | undefined {
    return voterAddressOf(this.voters, id);
  }

  term(): number {
    return this.raft.status().term;
  }

  private tick(): void {
    if (this.stopped) return;
    this.handle(this.raft.tick(this.now()));
  }

  /**
   * A controlled shutdown of the leader: hands the leadership to the most caught-up voter (Raft's
   * leadership transfer) and resolves once another leader is known here, so the cluster need not wait
   * out an election timeout after this node exits. Proposals are refused from the start. Resolves
   * with handedOver false when this node does not lead, no other voter answers, the core drops the
   * transfer (after an election timeout) or timeoutMs passes; the node then just goes on stopping.
   */
  async handOver(timeoutMs: number): Promise<HandOverResult> {
    const { logger } = this.options;
    if (this.stopped || !this.isLeader()) return { handedOver: false, reason: 'this node does not lead the metadata quorum' };
    if (this.voters.length < 2) return { handedOver: false, reason: 'there is no other voter' };
    const result = this.raft.transferLeadership(this.now());
    if (!result.ok) {
      logger.warn({ reason: result.reason }, 'leadership transfer: not possible; the voters will elect a leader after their timeout');
      return { handedOver: false, reason: result.reason };
    }
    const started = this.now();
    logger.info({ target: result.target, term: this.term() }, 'leadership transfer: handing the metadata quorum over');
    this.handle(result.output);
    const outcome = await new Promise<HandOverResult>((resolve) => {
      const check = (): void => {
        const s = this.raft.status();
        let done: HandOverResult | undefined;
        if (s.leaderId !== undefined && s.leaderId !== this.nodeId) done = { handedOver: true, leaderId: s.leaderId, term: s.term };
        else if (s.role === 'leader' && s.transferTarget === undefined) done = { handedOver: false, reason: 'the target was not elected within an election timeout' };
        else if (this.stopped) done = { handedOver: false, reason: 'the quorum stopped' };
        else if (this.now() - started >= timeoutMs) done = { handedOver: false, reason: `no new leader within ${timeoutMs} ms` };
        if (done === undefined) return;
        clearInterval(timer);
        resolve(done);
      };
      const timer = setInterval(check, TICK_MS);
      check();
    });
    if (outcome.handedOver) logger.info({ leader: outcome.leaderId, term: outcome.term, tookMs: this.now() - started }, 'leadership transfer: done');
    else logger.warn({ reason: outcome.reason }, 'leadership transfer: not completed; shutting down anyway');
    return outcome;
  }

  /** Appends the records as one entry (so they commit together); NOT_CONTROLLER when this node is not the leader. */
  propose(records: readonly MetadataRecord[]): { firstIndex: number; lastIndex: number } {
    if (records.length === 0) throw new RangeError('propose needs at least one record');
    const entries: Buffer[] = [];
    for (let i = 0; i < records.length; i += RECORDS_PER_ENTRY) entries.push(encodeRecordBatch(records.slice(i, i + RECORDS_PER_ENTRY)));
    const result = this.raft.propose(entries, this.now());
    if (!result.ok) {
      const why = result.transferringTo === undefined ? 'is not the active controller' : `is handing the controller role to node ${result.transferringTo}`;
      throw new StraitError(ErrorCode.NOT_CONTROLLER, `Node ${this.nodeId} ${why}.`);
    }
    this.handle(result.output);
    return { firstIndex: result.firstIndex, lastIndex: result.lastIndex };
  }

  /** Log entries after the applied index (the leader's uncommitted tail, for its speculative image). */
  unappliedEntries(): LogEntry[] {
    const from = this.options.state.appliedIndex + 1;
    const to = this.storage.lastIndex();
    if (from > to || from < this.storage.firstIndex()) return [];
    return this.storage.entries(from, to);
  }

  readCommitted(fromIndex: number, maxEntries: number): ReadCommittedResult {
    return this.raft.readCommitted(fromIndex, maxEntries);
  }

  snapshot(): { lastIndex: number; data: Buffer } | undefined {
    return this.storage.snapshot();
  }

  /** A Raft message from another voter. A foreign cluster id or a message not for this node changes nothing. */
  receive(env: wire.RaftEnvelope__Output): wire.RaftAck {
    const clusterId = this.options.clusterId;
    if (env.clusterId !== clusterId) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, clusterId };
    if (env.to !== this.nodeId || !this.voters.some((v) => v.id === env.from)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, clusterId };
    }
    const message = fromEnvelope(env);
    if (!message || message.from !== env.from) return { errorCode: ErrorCode.INVALID_REQUEST, clusterId };
    if (this.stopped) return { errorCode: ErrorCode.NONE, clusterId };
    const termBefore = this.raft.status().term;
    const out = this.raft.receive(env.from, message, this.now());
    // Logged for the TimeoutNow that started the campaign, not for the leader's repeats of it.
    if (message.type === 'TimeoutNow' && this.raft.status().role === 'candidate' && this.raft.status().term === termBefore + 1) {
      this.options.logger.info({ from: message.from, term: this.raft.status().term }, 'leadership transfer: asked to lead; campaigning at once');
    }
    this.handle(out);
    return { errorCode: ErrorCode.NONE, clusterId };
  }

  private handle(out: RaftOutput): void {
    const { state, logger } = this.options;
    if (out.snapshot) {
      state.loadSnapshot(out.snapshot.lastIndex, out.snapshot.data);
      this.lastSnapshotIndex = Math.max(this.lastSnapshotIndex, out.snapshot.lastIndex);
    }
    if (out.committed.length > 0) {
      state.applyCommitted(out.committed);
      this.maybeSnapshot();
    }
    for (const { to, message } of out.messages) this.send(to, toEnvelope(this.options.clusterId, to, message));
    if (out.leaderChanged) {
      const { leaderId, term } = this.raft.status();
      this.leaderChanges++;
      logger.info({ leader: leaderId ?? -1, term, self: leaderId === this.nodeId }, leaderId === this.nodeId ? 'elected metadata quorum leader' : 'metadata quorum leader changed');
      for (const listener of this.leaderListeners) {
        try {
          listener(leaderId, term);
        } catch (err) {
          logger.error({ err }, 'leader listener failed');
        }
      }
    }
  }

  private maybeSnapshot(): void {
    const applied = this.options.state.appliedIndex;
    if (applied - this.lastSnapshotIndex < this.options.snapshotIntervalRecords) return;
    if (applied > this.raft.status().lastApplied) return;
    this.raft.installSnapshotFromStateMachine(applied, this.options.state.image.toSnapshot());
    this.lastSnapshotIndex = applied;
    this.options.logger.info({ index: applied }, 'metadata snapshot written');
  }

  private send(to: number, envelope: ReturnType<typeof toEnvelope>): void {
    const address = this.voterAddress(to);
    if (address === undefined || this.stopped) return;
    this.options.clients.call<typeof envelope, wire.RaftAck>(address, 'Raft', envelope, this.options.requestTimeoutMs).then((ack) => {
      if (ack.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID) this.foreignPeer(to, ack.clusterId ?? '');
      else this.foreignPeers.delete(to);
    }, () => undefined);
  }

  private foreignPeer(peer: number, theirs: string): void {
    if (!this.foreignPeers.has(peer)) {
      this.options.logger.error({ peer, clusterId: this.options.clusterId, peerClusterId: theirs }, 'a voter belongs to another cluster');
    }
    this.foreignPeers.set(peer, theirs);
    // More than half of the other voters answer for another cluster: this node is the odd one out.
    if (this.foreignPeers.size * 2 > this.voters.length - 1) {
      const ids = [...new Set(this.foreignPeers.values())].join(', ');
      this.stop();
      this.options.onFatal(`This node's cluster id ${this.options.clusterId} differs from cluster ${ids} of the other voters; refusing to join.`);
    }
  }
}
