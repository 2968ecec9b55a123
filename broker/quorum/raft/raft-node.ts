// One Raft voter (Ongaro's thesis): pre-vote (§9.6), leader stickiness and check-quorum, fast log
// backtracking, commit by counting in the current term only, snapshots, leadership transfer (§3.10).
// Pure: time and randomness come from the caller, I/O goes through the synchronous RaftStorage
// before any message that depends on it is returned.
import { checkRaftConfig } from './raft-config.js';
import { isValidMessage } from './raft-message-validation.js';
import { appendBatch, firstIndexOfTermRun, lastIndexOfTerm, mergeEntries } from './raft-log.js';
import { PeerProgress } from './raft-progress.js';
import type { RaftStorage } from './raft-storage.js';
import type {
  AppendEntries,
  AppendEntriesResponse,
  InstallSnapshot,
  InstallSnapshotResponse,
  ProposeResult,
  RaftConfig,
  RaftMessage,
  RaftOutput,
  RaftRole,
  RaftSnapshot,
  RaftStatus,
  ReadCommittedResult,
  RequestVote,
  RequestVoteResponse,
  TimeoutNow,
  TransferResult,
} from './raft-types.js';
import { RaftUsageError } from './raft-types.js';

const EMPTY = Buffer.alloc(0);

export class RaftNode {
  private readonly id: number;
  private readonly peers: number[];
  private readonly majority: number;
  private term: number;
  private votedFor: number | undefined;
  private role: RaftRole = 'follower';
  private leaderId: number | undefined;
  private commitIndex: number;
  private lastApplied: number;
  private electionDeadline = 0;
  private lastLeaderContactMs = Number.NEGATIVE_INFINITY;
  private votes = new Set<number>();
  // Leader only.
  private progress = new Map<number, PeerProgress>();
  private nextHeartbeatMs = 0;
  private nextQuorumCheckMs = 0;
  /** A leadership transfer in progress: proposals are refused until it ends (the target's election
   * deposes this leader) or its deadline passes (this leader carries on). */
  private transfer: { target: number; deadlineMs: number } | undefined;
  private out: RaftOutput = { messages: [], committed: [] };

  constructor(
    private readonly config: RaftConfig,
    private readonly storage: RaftStorage,
    private readonly random: () => number,
    nowMs: number,
  ) {
    checkRaftConfig(config);
    this.id = config.nodeId;
    this.peers = config.voters.filter((v) => v !== config.nodeId);
    this.majority = Math.floor(config.voters.length / 2) + 1;
    const hard = storage.hardState();
    this.term = hard.term;
    this.votedFor = hard.votedFor;
    this.commitIndex = this.snapshotIndex();
    this.lastApplied = this.commitIndex;
    this.resetElectionTimer(nowMs);
  }

  status(): RaftStatus {
    const lastLogIndex = this.storage.lastIndex();
    return {
      nodeId: this.id,
      role: this.role,
      term: this.term,
      votedFor: this.votedFor,
      leaderId: this.leaderId,
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
      lastLogIndex,
      lastLogTerm: this.storage.termAt(lastLogIndex) ?? 0,
      snapshotIndex: this.snapshotIndex(),
      transferTarget: this.transfer?.target,
    };
  }

  tick(nowMs: number): RaftOutput {
    return this.run(() => {
      if (this.role === 'leader') {
        if (nowMs >= this.nextQuorumCheckMs && !this.checkQuorum(nowMs)) return;
        if (this.transfer && nowMs >= this.transfer.deadlineMs) this.transfer = undefined;
        if (nowMs >= this.nextHeartbeatMs) {
          this.nextHeartbeatMs = nowMs + this.config.heartbeatIntervalMs;
          for (const peer of this.peers) {
            this.progress.get(peer)!.paused = false;
            this.sendAppend(peer);
          }
        }
      } else if (nowMs >= this.electionDeadline) {
        this.startPreVote(nowMs);
      }
    });
  }

  receive(from: number, message: RaftMessage, nowMs: number): RaftOutput {
    return this.run(() => {
      if (!this.peers.includes(from) || !isValidMessage(from, message)) return;
      switch (message.type) {
        case 'RequestVote':
          return this.onRequestVote(message, nowMs);
        case 'RequestVoteResponse':
          return this.onVoteResponse(message, nowMs);
        case 'AppendEntries':
          return this.onAppendEntries(message, nowMs);
        case 'AppendEntriesResponse':
          return this.onAppendResponse(message, nowMs);
        case 'InstallSnapshot':
          return this.onInstallSnapshot(message, nowMs);
        case 'InstallSnapshotResponse':
          return this.onSnapshotResponse(message, nowMs);
        case 'TimeoutNow':
          return this.onTimeoutNow(message, nowMs);
      }
    });
  }

  propose(entries: Buffer[], _nowMs: number): ProposeResult {
    if (this.role !== 'leader') return { ok: false, leaderId: this.leaderId };
    // Entries proposed now could keep the target behind for ever; the next leader takes them.
    if (this.transfer) return { ok: false, leaderId: this.leaderId, transferringTo: this.transfer.target };
    if (!Array.isArray(entries) || entries.length === 0 || !entries.every((e) => Buffer.isBuffer(e))) {
      throw new RaftUsageError('propose takes a non-empty array of Buffers');
    }
    const firstIndex = this.storage.lastIndex() + 1;
    const output = this.run(() => {
      this.storage.append(
        entries.map((data, i) => ({ index: firstIndex + i, term: this.term, data, kind: 'data' })),
      );
      // Only followers that are caught up get the new entries now; the others are being repaired
      // by their responses and would otherwise receive the same batch once per proposal.
      for (const peer of this.peers) {
        if (this.progress.get(peer)!.nextIndex === firstIndex) this.sendAppend(peer);
      }
      this.advanceCommit();
    });
    return { ok: true, firstIndex, lastIndex: firstIndex + entries.length - 1, output };
  }

  /**
   * Hands the leadership to another voter (thesis §3.10): from now on proposals are refused; the
   * target (by default the voter that answered within an election timeout with the longest matching
   * log) is brought up to date, then told TimeoutNow and starts an election at once, which deposes
   * this leader. When that has not happened within an election timeout, the transfer is dropped and
   * this node leads on. Calling it again during a transfer changes nothing.
   */
  transferLeadership(nowMs: number, target?: number): TransferResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not the leader' };
    if (this.transfer) return { ok: true, target: this.transfer.target, output: { messages: [], committed: [] } };
    if (target !== undefined && !this.peers.includes(target)) return { ok: false, reason: `${target} is not another voter` };
    const chosen = target ?? this.mostCaughtUpPeer(nowMs);
    if (chosen === undefined) return { ok: false, reason: 'no other voter answered within an election timeout' };
    const output = this.run(() => {
      this.transfer = { target: chosen, deadlineMs: nowMs + this.config.electionTimeoutMinMs };
      const progress = this.progress.get(chosen)!;
      if (progress.matchIndex === this.storage.lastIndex()) return this.sendTimeoutNow(chosen);
      progress.paused = false;
      this.sendAppend(chosen);
    });
    return { ok: true, target: chosen, output };
  }

  /** The state machine has applied everything up to lastIncludedIndex and hands over its state;
   * the log up to there is dropped. */
  installSnapshotFromStateMachine(lastIncludedIndex: number, data: Buffer): void {
    if (!Number.isSafeInteger(lastIncludedIndex) || lastIncludedIndex < 1) {
      throw new RaftUsageError(`snapshot index ${lastIncludedIndex} is not a positive integer`);
    }
    if (lastIncludedIndex > this.lastApplied) {
      throw new RaftUsageError(
        `snapshot index ${lastIncludedIndex} is beyond the last applied index ${this.lastApplied}`,
      );
    }
    if (!Buffer.isBuffer(data)) throw new RaftUsageError('snapshot data must be a Buffer');
    if (lastIncludedIndex <= this.snapshotIndex()) return;
    const lastTerm = this.storage.termAt(lastIncludedIndex)!;
    this.storage.saveSnapshot({ lastIndex: lastIncludedIndex, lastTerm, data });
  }

  /** Committed entries from fromIndex on, for observers; snapshotNeeded when they were compacted. */
  readCommitted(fromIndex: number, maxEntries: number): ReadCommittedResult {
    if (!Number.isSafeInteger(fromIndex) || fromIndex < 1) {
      throw new RaftUsageError(`fromIndex ${fromIndex} is not a positive integer`);
    }
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RaftUsageError(`maxEntries ${maxEntries} is not a positive integer`);
    }
    if (fromIndex < this.storage.firstIndex()) return { snapshotNeeded: true };
    if (fromIndex > this.commitIndex) return [];
    return this.storage.entries(fromIndex, Math.min(this.commitIndex, fromIndex + maxEntries - 1));
  }

  private run(step: () => void): RaftOutput {
    const leaderBefore = this.leaderId;
    const termBefore = this.term;
    this.out = { messages: [], committed: [] };
    step();
    const out = this.out;
    this.out = { messages: [], committed: [] };
    if (this.leaderId !== leaderBefore || (this.leaderId !== undefined && this.term !== termBefore)) {
      out.leaderChanged = true;
    }
    return out;
  }

  private send(to: number, message: RaftMessage): void {
    this.out.messages.push({ to, message });
  }

  private snapshotIndex(): number {
    return this.storage.firstIndex() - 1;
  }

  private lastLogTerm(): number {
    return this.storage.termAt(this.storage.lastIndex()) ?? 0;
  }

  private resetElectionTimer(nowMs: number): void {
    const { electionTimeoutMinMs: min, electionTimeoutMaxMs: max } = this.config;
    this.electionDeadline = nowMs + min + Math.floor(this.random() * (max - min));
  }

  private saveHardState(term: number, votedFor: number | undefined): void {
    this.storage.saveHardState({ term, votedFor });
    this.term = term;
    this.votedFor = votedFor;
  }

  private becomeFollower(term: number, leaderId: number | undefined): void {
    if (term > this.term) this.saveHardState(term, undefined);
    this.role = 'follower';
    this.leaderId = leaderId;
    this.votes.clear();
    this.progress.clear();
    this.transfer = undefined;
  }

  private startPreVote(nowMs: number): void {
    this.becomeFollower(this.term, undefined);
    this.role = 'prevoting';
    this.votes.add(this.id);
    this.resetElectionTimer(nowMs);
    if (this.votes.size >= this.majority) return this.startElection(nowMs);
    this.requestVotes(true, this.term + 1);
  }

  private startElection(nowMs: number, transfer = false): void {
    this.saveHardState(this.term + 1, this.id);
    this.role = 'candidate';
    this.leaderId = undefined;
    this.votes = new Set([this.id]);
    this.resetElectionTimer(nowMs);
    if (this.votes.size >= this.majority) return this.becomeLeader(nowMs);
    this.requestVotes(false, this.term, transfer);
  }

  private requestVotes(preVote: boolean, term: number, transfer = false): void {
    const lastLogIndex = this.storage.lastIndex();
    const lastLogTerm = this.lastLogTerm();
    for (const peer of this.peers) {
      this.send(peer, {
        type: 'RequestVote', from: this.id, term, preVote, lastLogIndex, lastLogTerm, ...(transfer ? { transfer: true } : {}),
      });
    }
  }

  private becomeLeader(nowMs: number): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.votes.clear();
    this.transfer = undefined;
    const noopIndex = this.storage.lastIndex() + 1;
    for (const peer of this.peers) this.progress.set(peer, new PeerProgress(noopIndex));
    this.nextQuorumCheckMs = nowMs + this.config.electionTimeoutMaxMs;
    this.nextHeartbeatMs = nowMs + this.config.heartbeatIntervalMs;
    // Raft §8: entries of earlier terms commit only under an entry of the leader's own term.
    this.storage.append([{ index: noopIndex, term: this.term, data: EMPTY, kind: 'noop' }]);
    for (const peer of this.peers) this.sendAppend(peer);
    this.advanceCommit();
  }

  /** A leader that has not heard from a majority for an election timeout steps down, so clients
   * of a minority side learn quickly that it cannot commit. */
  private checkQuorum(nowMs: number): boolean {
    let active = 1;
    for (const progress of this.progress.values()) {
      if (progress.recentlyActive) active++;
      progress.recentlyActive = false;
    }
    this.nextQuorumCheckMs = nowMs + this.config.electionTimeoutMaxMs;
    if (active >= this.majority) return true;
    this.becomeFollower(this.term, undefined);
    this.resetElectionTimer(nowMs);
    return false;
  }

  private inLeaderLease(nowMs: number): boolean {
    if (this.role === 'leader') return true;
    return (
      this.leaderId !== undefined &&
      nowMs - this.lastLeaderContactMs < this.config.electionTimeoutMinMs
    );
  }

  private logIsUpToDate(m: RequestVote): boolean {
    const lastTerm = this.lastLogTerm();
    return (
      m.lastLogTerm > lastTerm ||
      (m.lastLogTerm === lastTerm && m.lastLogIndex >= this.storage.lastIndex())
    );
  }

  private onRequestVote(m: RequestVote, nowMs: number): void {
    const reply = (term: number, voteGranted: boolean): void =>
      this.send(m.from, { type: 'RequestVoteResponse', from: this.id, term, preVote: m.preVote, voteGranted });
    if (m.preVote) {
      // A pre-vote changes nothing here: it only asks whether a real vote could succeed.
      const grant = m.term > this.term && !this.inLeaderLease(nowMs) && this.logIsUpToDate(m);
      return reply(grant ? m.term : this.term, grant);
    }
    if (m.term > this.term) {
      // Leader stickiness: while a leader is known to be alive, a higher term must not depose it,
      // unless that leader asked for this election (a transfer); the log check below still applies.
      if (this.inLeaderLease(nowMs) && m.transfer !== true) return;
      this.becomeFollower(m.term, undefined);
    }
    if (m.term < this.term) return reply(this.term, false);
    const grant =
      (this.votedFor === undefined || this.votedFor === m.from) && this.logIsUpToDate(m);
    if (grant) {
      if (this.votedFor !== m.from) this.saveHardState(this.term, m.from);
      this.resetElectionTimer(nowMs);
    }
    reply(this.term, grant);
  }

  private onVoteResponse(m: RequestVoteResponse, nowMs: number): void {
    if (m.preVote && m.voteGranted) {
      if (this.role !== 'prevoting' || m.term !== this.term + 1) return;
      this.votes.add(m.from);
      if (this.votes.size >= this.majority) this.startElection(nowMs);
      return;
    }
    if (m.term > this.term) return this.becomeFollower(m.term, undefined);
    if (m.preVote || !m.voteGranted || this.role !== 'candidate' || m.term !== this.term) return;
    this.votes.add(m.from);
    if (this.votes.size >= this.majority) this.becomeLeader(nowMs);
  }

  /** Common to AppendEntries and InstallSnapshot: false when the sender is a stale leader. */
  private acceptLeader(from: number, term: number, nowMs: number): boolean {
    if (term < this.term) return false;
    this.becomeFollower(term, from);
    this.lastLeaderContactMs = nowMs;
    this.resetElectionTimer(nowMs);
    return true;
  }

  private onAppendEntries(m: AppendEntries, nowMs: number): void {
    const reject = (conflictIndex: number, conflictTerm: number): void =>
      this.send(m.from, {
        type: 'AppendEntriesResponse', from: this.id, term: this.term, success: false,
        matchIndex: 0, conflictIndex, conflictTerm,
      });
    const accept = (matchIndex: number): void =>
      this.send(m.from, {
        type: 'AppendEntriesResponse', from: this.id, term: this.term, success: true,
        matchIndex, conflictIndex: 0, conflictTerm: 0,
      });
    // Two leaders in one term cannot exist; a message claiming otherwise is ignored.
    if (this.role === 'leader' && m.term === this.term) return;
    if (!this.acceptLeader(m.from, m.term, nowMs)) return reject(this.storage.lastIndex() + 1, 0);
    // Everything up to commitIndex is committed and so identical to the leader's log.
    if (m.prevLogIndex < this.commitIndex) return accept(this.commitIndex);
    const lastIndex = this.storage.lastIndex();
    if (m.prevLogIndex > lastIndex) return reject(lastIndex + 1, 0);
    const prevTerm = this.storage.termAt(m.prevLogIndex)!;
    if (prevTerm !== m.prevLogTerm) {
      return reject(firstIndexOfTermRun(this.storage, m.prevLogIndex, prevTerm, this.commitIndex), prevTerm);
    }
    mergeEntries(this.storage, m.entries);
    const lastNew = m.prevLogIndex + m.entries.length;
    const newCommit = Math.min(m.leaderCommit, lastNew);
    if (newCommit > this.commitIndex) {
      this.commitIndex = newCommit;
      this.emitCommitted();
    }
    accept(lastNew);
  }

  private onInstallSnapshot(m: InstallSnapshot, nowMs: number): void {
    const reply = (matchIndex: number): void =>
      this.send(m.from, { type: 'InstallSnapshotResponse', from: this.id, term: this.term, matchIndex });
    if (this.role === 'leader' && m.term === this.term) return;
    if (!this.acceptLeader(m.from, m.term, nowMs)) return reply(0);
    if (m.lastIndex <= this.commitIndex) return reply(this.commitIndex);
    const snapshot: RaftSnapshot = { lastIndex: m.lastIndex, lastTerm: m.lastTerm, data: m.data };
    this.storage.saveSnapshot(snapshot);
    this.commitIndex = m.lastIndex;
    this.lastApplied = m.lastIndex;
    this.out.snapshot = snapshot;
    this.out.committed = this.out.committed.filter((e) => e.index > m.lastIndex);
    reply(m.lastIndex);
  }

  private onAppendResponse(m: AppendEntriesResponse, nowMs: number): void {
    if (m.term > this.term) return this.becomeFollower(m.term, undefined);
    if (this.role !== 'leader' || m.term !== this.term) return;
    const lastIndex = this.storage.lastIndex();
    if (m.success && m.matchIndex > lastIndex) return;
    const progress = this.progress.get(m.from)!;
    progress.recentlyActive = true;
    progress.lastResponseMs = nowMs;
    if (m.success) {
      if (progress.acknowledge(m.matchIndex)) this.advanceCommit();
      if (progress.nextIndex <= lastIndex) this.sendAppend(m.from);
      this.continueTransfer(m.from);
      return;
    }
    let hint = m.conflictIndex;
    if (m.conflictTerm > 0) {
      const lastOfTerm = lastIndexOfTerm(this.storage, m.conflictTerm);
      if (lastOfTerm !== undefined) hint = lastOfTerm + 1;
    }
    progress.reject(hint, lastIndex);
    this.sendAppend(m.from);
  }

  private onSnapshotResponse(m: InstallSnapshotResponse, nowMs: number): void {
    if (m.term > this.term) return this.becomeFollower(m.term, undefined);
    if (this.role !== 'leader' || m.term !== this.term) return;
    const lastIndex = this.storage.lastIndex();
    if (m.matchIndex > lastIndex) return;
    const progress = this.progress.get(m.from)!;
    progress.recentlyActive = true;
    progress.lastResponseMs = nowMs;
    if (progress.acknowledge(m.matchIndex)) this.advanceCommit();
    if (progress.nextIndex <= lastIndex) this.sendAppend(m.from);
    this.continueTransfer(m.from);
  }

  /** The voter heard from within an election timeout whose log matches furthest (lowest id on a tie). */
  private mostCaughtUpPeer(nowMs: number): number | undefined {
    let best: number | undefined;
    for (const peer of [...this.peers].sort((a, b) => a - b)) {
      const progress = this.progress.get(peer)!;
      if (nowMs - progress.lastResponseMs > this.config.electionTimeoutMinMs) continue;
      if (best === undefined || progress.matchIndex > this.progress.get(best)!.matchIndex) best = peer;
    }
    return best;
  }

  /** During a transfer, the target's log has caught up with the leader's: tell it to campaign. Sent
   * again on every later answer from it (heartbeats), in case the message was lost. */
  private continueTransfer(peer: number): void {
    if (this.transfer?.target !== peer) return;
    if (this.progress.get(peer)!.matchIndex === this.storage.lastIndex()) this.sendTimeoutNow(peer);
  }

  private sendTimeoutNow(peer: number): void {
    this.send(peer, { type: 'TimeoutNow', from: this.id, term: this.term });
  }

  /** The leader of this term wants this node to lead: campaign now, with no pre-vote (the voters
   * would refuse one while they hear the leader) and with the transfer flag on the vote requests. */
  private onTimeoutNow(m: TimeoutNow, nowMs: number): void {
    if (m.term !== this.term || this.role === 'leader') return;
    this.startElection(nowMs, true);
  }

  /** Sends what the peer lacks from nextIndex on (or nothing but the commit index, as a heartbeat);
   * the snapshot instead when those entries were compacted away. */
  private sendAppend(peer: number): void {
    const progress = this.progress.get(peer)!;
    if (progress.paused) return;
    const next = progress.nextIndex;
    const prevLogTerm = this.storage.termAt(next - 1);
    if (prevLogTerm === undefined) {
      const snapshot = this.storage.snapshot()!;
      this.send(peer, { type: 'InstallSnapshot', from: this.id, term: this.term, ...snapshot });
      progress.probing = true;
      progress.sent(0);
      return;
    }
    const entries = appendBatch(this.storage, next, this.config.maxEntriesPerAppend, this.config.maxBytesPerAppend);
    this.send(peer, {
      type: 'AppendEntries', from: this.id, term: this.term, prevLogIndex: next - 1, prevLogTerm,
      entries, leaderCommit: this.commitIndex,
    });
    progress.sent(entries.length);
  }

  private advanceCommit(): void {
    const matches = [this.storage.lastIndex(), ...this.peers.map((p) => this.progress.get(p)!.matchIndex)];
    matches.sort((a, b) => b - a);
    const candidate = matches[this.majority - 1]!;
    if (candidate > this.commitIndex && this.storage.termAt(candidate) === this.term) {
      this.commitIndex = candidate;
      this.emitCommitted();
      // Tell the followers now rather than at the next heartbeat (etcd's bcastAppend on commit): a
      // node that forwarded a controller write answers only once it has applied the entry.
      for (const peer of this.peers) this.sendAppend(peer);
    }
  }

  private emitCommitted(): void {
    if (this.commitIndex <= this.lastApplied) return;
    for (const entry of this.storage.entries(this.lastApplied + 1, this.commitIndex)) {
      this.out.committed.push(entry);
    }
    this.lastApplied = this.commitIndex;
  }
}
