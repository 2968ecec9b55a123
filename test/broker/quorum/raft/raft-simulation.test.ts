// Deterministic simulation of Raft clusters: seeded message loss, delay, duplication, reordering,
// partitions, crash-restarts and leadership transfers (some of them followed by the old leader's
// exit, as a controlled shutdown does), with the safety properties checked after every step and
// liveness at the end of every run. Replay one schedule with RAFT_SEED=<seed> (and RAFT_VOTERS=3|5); add
// RAFT_TRACE=1 to print every delivery after the network heals, RAFT_DEBUG=1 for the nodes' state
// when liveness fails; RAFT_RUNS=<n> changes the number of schedules per cluster size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftNode } from '../../../../broker/quorum/raft/raft-node.js';
import { MemoryRaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import type { RaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import type { HardState, LogEntry, RaftMessage, RaftOutput, RaftSnapshot } from '../../../../broker/quorum/raft/raft-types.js';
import { mulberry32, testConfig } from './raft-harness.js';

const STEP_MS = 10;
const STEPS = 600;
const QUIET_STEPS = 600;

/** What every (index, term) pair ever appended anywhere looked like: log matching in inductive form
 * (same index and term => same entry and same term before it) is checked on every append. */
class AppendRegistry {
  private readonly seen = new Map<string, { prevTerm: number; kind: string; data: Buffer }>();

  check(entry: LogEntry, prevTerm: number): void {
    const key = `${entry.index}:${entry.term}`;
    const known = this.seen.get(key);
    if (known === undefined) {
      this.seen.set(key, { prevTerm, kind: entry.kind, data: entry.data });
      return;
    }
    assert.equal(prevTerm, known.prevTerm, `log matching: entry ${key} follows different terms`);
    assert.equal(entry.kind, known.kind, `log matching: entry ${key} has two kinds`);
    assert.ok(entry.data.equals(known.data), `log matching: entry ${key} has two payloads`);
  }
}

class CheckedStorage implements RaftStorage {
  constructor(private readonly inner: MemoryRaftStorage, private readonly registry: AppendRegistry) {}
  hardState(): HardState { return this.inner.hardState(); }
  saveHardState(state: HardState): void { this.inner.saveHardState(state); }
  snapshot(): RaftSnapshot | undefined { return this.inner.snapshot(); }
  firstIndex(): number { return this.inner.firstIndex(); }
  lastIndex(): number { return this.inner.lastIndex(); }
  termAt(index: number): number | undefined { return this.inner.termAt(index); }
  entries(from: number, to: number): LogEntry[] { return this.inner.entries(from, to); }
  truncateFrom(index: number): void { this.inner.truncateFrom(index); }
  saveSnapshot(snapshot: RaftSnapshot): void { this.inner.saveSnapshot(snapshot); }
  append(entries: readonly LogEntry[]): void {
    let prevTerm = this.inner.termAt(this.inner.lastIndex())!;
    for (const entry of entries) {
      this.registry.check(entry, prevTerm);
      prevTerm = entry.term;
    }
    this.inner.append(entries);
  }
  crash(): CheckedStorage {
    return new CheckedStorage(this.inner.crash(), this.registry);
  }
}

function digestStep(digest: number, entry: LogEntry): number {
  let h = (digest ^ entry.index) >>> 0;
  h = Math.imul(h ^ entry.term, 0x9e3779b1) >>> 0;
  for (const byte of entry.data) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return entry.kind === 'noop' ? (h ^ 0x5bd1e995) >>> 0 : h;
}

/** What the schedules exercised, summed over runs, so the test fails if the chaos stops biting. */
export const coverage = {
  runs: 0, leaderTerms: 0, commits: 0, crashes: 0, partitions: 0, snapshotsSent: 0, compactions: 0, rejectedProposals: 0,
  transfers: 0, transfersCompleted: 0, shutdownsAfterTransfer: 0,
};

interface SimNode {
  id: number;
  storage: CheckedStorage;
  node: RaftNode | undefined;
  /** A controlled shutdown: the node handed its leadership over and exits once it no longer leads
   * or its transfer was dropped. */
  exitAfterTransfer: boolean;
  /** The state machine: how far it applied and a digest of everything applied. */
  applied: number;
  digest: number;
  /** Never falls while the node runs. */
  commitIndex: number;
}

interface InFlight {
  at: number;
  order: number;
  from: number;
  to: number;
  message: RaftMessage;
}

class Simulation {
  readonly random: () => number;
  now = 0;
  readonly nodes: SimNode[] = [];
  private inFlight: InFlight[] = [];
  private group = new Map<number, number>();
  private loss: number;
  private duplication: number;
  private maxDelay: number;
  /** The share of messages that take up to four times maxDelay. */
  private slowRate = 0.1;
  private readonly proposeRate: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly registry = new AppendRegistry();
  /** State-machine safety: the digest after applying each index, and the term of each committed entry. */
  private readonly digestAt: number[] = [0];
  private readonly committedTerm: number[] = [0];
  /** The smallest term a node held while reporting the entry committed: it was committed no later. */
  private readonly commitTermBound: number[] = [0];
  private readonly leaderOfTerm = new Map<number, number>();
  private readonly completenessChecked = new Map<string, number>();
  private proposals = 0;
  /** Transfers started and not yet seen to finish: the target leading the next term completes one. */
  private transfers: { target: number; term: number }[] = [];
  readonly proposed = new Set<string>();
  readonly committedData = new Set<string>();

  constructor(readonly seed: number, readonly voters: number[]) {
    this.random = mulberry32(seed);
    this.loss = this.random() * 0.2;
    this.duplication = this.random() * 0.1;
    // Some runs have delays near the election timeout, which keeps stale leaders and votes around.
    this.maxDelay = 5 + Math.floor(this.random() * (this.random() < 0.3 ? 250 : 60));
    this.proposeRate = 0.1 + this.random() * 0.5;
    // Small batches leave a new leader's no-op behind older entries in separate appends, which is
    // the situation (thesis figure 3.7) where committing an old-term entry by counting goes wrong.
    this.maxEntries = this.random() < 0.5 ? 1 + this.int(3) : 64;
    this.maxBytes = this.random() < 0.2 ? 1 : 64 * 1024;
    for (const id of voters) {
      const storage = new CheckedStorage(new MemoryRaftStorage(), this.registry);
      this.nodes.push({ id, storage, node: undefined, exitAfterTransfer: false, applied: 0, digest: 0, commitIndex: 0 });
    }
    for (const n of this.nodes) this.start(n);
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private start(n: SimNode): void {
    n.exitAfterTransfer = false;
    const snapshot = n.storage.snapshot();
    n.applied = snapshot?.lastIndex ?? 0;
    n.digest = snapshot === undefined ? 0 : this.loadDigest(snapshot);
    n.commitIndex = n.applied;
    const config = { ...testConfig(n.id, this.voters), maxEntriesPerAppend: this.maxEntries, maxBytesPerAppend: this.maxBytes };
    n.node = new RaftNode(config, n.storage, this.random, this.now);
  }

  private loadDigest(snapshot: RaftSnapshot): number {
    const state = JSON.parse(snapshot.data.toString()) as { index: number; digest: number };
    assert.equal(state.index, snapshot.lastIndex, 'snapshot data and index disagree');
    assert.equal(state.digest, this.digestAt[state.index], `snapshot at ${state.index} differs from what was applied`);
    return state.digest;
  }

  private connected(a: number, b: number): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  private handle(n: SimNode, out: RaftOutput): void {
    const node = n.node!;
    if (out.snapshot !== undefined) {
      coverage.snapshotsSent++;
      assert.ok(out.snapshot.lastIndex > n.applied, `node ${n.id} was handed a snapshot it had applied already`);
      n.digest = this.loadDigest(out.snapshot);
      n.applied = out.snapshot.lastIndex;
    }
    const { term } = node.status();
    for (const entry of out.committed) {
      assert.equal(entry.index, n.applied + 1, `node ${n.id} applied ${entry.index} after ${n.applied}`);
      n.digest = digestStep(n.digest, entry);
      n.applied = entry.index;
      const known = this.digestAt[entry.index];
      if (known === undefined) {
        assert.equal(this.digestAt.length, entry.index, 'commits are registered in index order');
        this.digestAt.push(n.digest);
        coverage.commits++;
        this.committedTerm.push(entry.term);
        this.commitTermBound.push(term);
      } else {
        assert.equal(n.digest, known, `state machine safety: node ${n.id} applied another entry at ${entry.index}`);
        this.commitTermBound[entry.index] = Math.min(this.commitTermBound[entry.index]!, term);
      }
      if (entry.kind === 'data') this.committedData.add(entry.data.toString());
    }
    const status = node.status();
    assert.equal(n.applied, status.lastApplied, `node ${n.id} applied count`);
    assert.ok(status.commitIndex >= n.commitIndex, `node ${n.id} commit index fell`);
    n.commitIndex = status.commitIndex;
    for (const { to, message } of out.messages) {
      if (this.random() < this.loss) continue;
      const copies = this.random() < this.duplication ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const delay = this.random() < this.slowRate ? this.int(this.maxDelay * 4) : this.int(this.maxDelay);
        this.inFlight.push({ at: this.now + delay, order: this.random(), from: n.id, to, message });
      }
    }
  }

  private deliverDue(): void {
    const due = this.inFlight.filter((m) => m.at <= this.now).sort((a, b) => a.at - b.at || a.order - b.order);
    this.inFlight = this.inFlight.filter((m) => m.at > this.now);
    for (const m of due) {
      const target = this.nodes.find((n) => n.id === m.to)!;
      if (target.node === undefined || !this.connected(m.from, m.to)) continue;
      if (process.env.RAFT_TRACE && this.loss === 0) console.log(this.now, m.from, '->', m.to, JSON.stringify({ ...m.message, entries: (m.message as { entries?: LogEntry[] }).entries?.map((e) => `${e.index}:${e.term}`) }));
      this.handle(target, target.node.receive(m.from, m.message, this.now));
    }
  }

  private chaos(): void {
    const r = this.random();
    if (r < 0.012) {
      // Half the crashes hit a leader: that is where the interesting recoveries are.
      const up = this.nodes.filter((n) => n.node !== undefined);
      const leaders = up.filter((n) => n.node!.status().role === 'leader');
      const pool = leaders.length > 0 && this.random() < 0.5 ? leaders : up;
      if (pool.length > 0) {
        const victim = pool[this.int(pool.length)]!;
        this.crash(victim);
        coverage.crashes++;
        // A quick restart comes back while the election it voted in is still running: the case in
        // which a vote that was not persisted would be cast twice.
        if (this.random() < 0.3) this.start(victim);
      }
    } else if (r < 0.024) {
      this.group = new Map(this.voters.map((id) => [id, this.int(2 + this.int(2))]));
      coverage.partitions++;
    } else if (r < 0.04) {
      this.group.clear();
    }
    for (const n of this.nodes) {
      if (n.node === undefined && this.random() < 0.03) this.start(n);
    }
  }

  private crash(n: SimNode): void {
    n.node = undefined;
    n.exitAfterTransfer = false;
    n.storage = n.storage.crash();
  }

  /** A leader hands its leadership over (to the voter it picks, or sometimes to one named at random,
   * reachable or not); half of them then exit, as a controlled shutdown does. */
  private leadershipTransfers(): void {
    for (const n of this.nodes) {
      if (!n.exitAfterTransfer) continue;
      const status = n.node!.status();
      if (status.role !== 'leader' || status.transferTarget === undefined) {
        this.crash(n);
        coverage.shutdownsAfterTransfer++;
      }
    }
    if (this.random() >= 0.03) return;
    const leaders = this.nodes.filter((n) => n.node?.status().role === 'leader');
    if (leaders.length === 0) return;
    const n = leaders[this.int(leaders.length)]!;
    const peers = this.voters.filter((id) => id !== n.id);
    const named = this.random() < 0.3 ? peers[this.int(peers.length)] : undefined;
    const result = n.node!.transferLeadership(this.now, named);
    if (!result.ok) return;
    coverage.transfers++;
    this.transfers.push({ target: result.target, term: n.node!.status().term });
    if (this.random() < 0.5) n.exitAfterTransfer = true;
    this.handle(n, result.output);
  }

  private clientActivity(): void {
    const up = this.nodes.filter((n) => n.node !== undefined);
    if (up.length === 0) return;
    // Clients mostly reach whoever believes it leads, stale leaders included: that is what makes
    // logs diverge and forces the truncation and backtracking paths.
    const leaders = up.filter((n) => n.node!.status().role === 'leader');
    const n = leaders.length > 0 && this.random() < 0.8 ? leaders[this.int(leaders.length)]! : up[this.int(up.length)]!;
    if (this.random() < this.proposeRate) {
      const count = 1 + this.int(3);
      const data = Array.from({ length: count }, () => `${this.seed}/${this.proposals++}`);
      const transferring = n.node!.status().transferTarget !== undefined;
      const result = n.node!.propose(data.map((d) => Buffer.from(d)), this.now);
      assert.ok(!(transferring && result.ok), `node ${n.id} took a proposal while handing its leadership over`);
      if (result.ok) {
        for (const d of data) this.proposed.add(d);
        this.handle(n, result.output);
      } else {
        coverage.rejectedProposals++;
      }
    }
    if (this.random() < 0.02 && n.applied > n.node!.status().snapshotIndex + 3) {
      const state = Buffer.from(JSON.stringify({ index: n.applied, digest: n.digest }));
      n.node!.installSnapshotFromStateMachine(n.applied, state);
      coverage.compactions++;
    }
  }

  step(withChaos: boolean): void {
    this.now += STEP_MS;
    if (withChaos) {
      this.chaos();
      this.leadershipTransfers();
      this.clientActivity();
    }
    this.deliverDue();
    for (const n of this.nodes) if (n.node !== undefined) this.handle(n, n.node.tick(this.now));
    this.checkSafety();
  }

  heal(): void {
    this.group.clear();
    // A healed network: no loss, ordinary delays (still reordering within them).
    this.loss = 0;
    this.duplication = 0;
    this.slowRate = 0;
    this.maxDelay = Math.min(this.maxDelay, 20);
    for (const n of this.nodes) if (n.node === undefined) this.start(n);
  }

  private checkSafety(): void {
    for (const n of this.nodes) {
      const status = n.node?.status();
      if (status?.role !== 'leader') continue;
      const known = this.leaderOfTerm.get(status.term);
      assert.ok(known === undefined || known === n.id, `election safety: ${known} and ${n.id} lead term ${status.term}`);
      if (known === undefined) {
        coverage.leaderTerms++;
        const before = this.transfers.length;
        this.transfers = this.transfers.filter((t) => !(t.target === n.id && t.term + 1 === status.term));
        coverage.transfersCompleted += before - this.transfers.length;
        this.transfers = this.transfers.filter((t) => t.term + 1 > status.term);
      }
      this.leaderOfTerm.set(status.term, n.id);
      this.checkLeaderCompleteness(n, status.term, status.snapshotIndex);
    }
  }

  /** Every entry committed in a term below the leader's is in the leader's log. */
  private checkLeaderCompleteness(n: SimNode, term: number, snapshotIndex: number): void {
    const key = `${n.id}:${term}`;
    let index = this.completenessChecked.get(key) ?? 0;
    while (index + 1 < this.digestAt.length) {
      index++;
      if (this.commitTermBound[index]! >= term || index <= snapshotIndex) continue;
      assert.equal(
        n.storage.termAt(index), this.committedTerm[index],
        `leader completeness: leader ${n.id} of term ${term} lacks committed entry ${index}`,
      );
    }
    this.completenessChecked.set(key, index);
  }

  /** Full pairwise log matching, too slow for every step. */
  checkLogMatching(): void {
    for (const a of this.nodes) {
      for (const b of this.nodes) {
        if (a.id >= b.id) continue;
        const from = Math.max(a.storage.firstIndex(), b.storage.firstIndex());
        const to = Math.min(a.storage.lastIndex(), b.storage.lastIndex());
        let matched = false;
        for (let i = to; i >= from; i--) {
          const same = a.storage.termAt(i) === b.storage.termAt(i);
          if (matched) assert.ok(same, `log matching: nodes ${a.id} and ${b.id} differ at ${i}`);
          if (same) {
            matched = true;
            const [ea] = a.storage.entries(i, i);
            const [eb] = b.storage.entries(i, i);
            assert.ok(ea!.data.equals(eb!.data), `log matching: payloads differ at ${i}`);
          }
        }
      }
    }
  }

  /** After healing: a leader exists and a fresh proposal commits within QUIET_STEPS. */
  checkLiveness(): void {
    const marker = `${this.seed}/final`;
    for (let i = 0; i < QUIET_STEPS; i++) {
      if (this.committedData.has(marker)) return;
      const leader = this.nodes.find((n) => n.node?.status().role === 'leader');
      if (leader !== undefined && i % 20 === 0) {
        const result = leader.node!.propose([Buffer.from(marker)], this.now);
        if (result.ok) this.handle(leader, result.output);
      }
      this.step(false);
    }
    if (process.env.RAFT_DEBUG) console.log(JSON.stringify({ maxEntries: this.maxEntries, maxBytes: this.maxBytes, maxDelay: this.maxDelay, inFlight: this.inFlight.length, nodes: this.nodes.map((n) => n.node?.status()) }));
    assert.ok(this.committedData.has(marker), 'liveness: no proposal committed after the network healed');
  }
}

function runSchedule(seed: number, voters: number[]): void {
  const sim = new Simulation(seed, voters);
  coverage.runs++;
  try {
    for (let i = 0; i < STEPS; i++) sim.step(true);
    sim.heal();
    sim.checkLiveness();
    sim.checkLogMatching();
  } catch (err) {
    const replay = `RAFT_SEED=${seed} RAFT_VOTERS=${voters.length}`;
    (err as Error).message = `[${replay}] ${(err as Error).message}`;
    console.error(`raft simulation failed; replay with ${replay}`);
    throw err;
  }
}

const replaySeed = process.env.RAFT_SEED;
const runs = Number(process.env.RAFT_RUNS ?? 1000);

if (replaySeed !== undefined) {
  test(`raft simulation replays seed ${replaySeed}`, () => {
    runSchedule(Number(replaySeed), Number(process.env.RAFT_VOTERS ?? 3) === 5 ? [1, 2, 3, 4, 5] : [1, 2, 3]);
  });
} else {
  for (const voters of [[1, 2, 3], [1, 2, 3, 4, 5]]) {
    test(`raft simulation: ${runs} schedules with ${voters.length} voters stay safe and live`, () => {
      const before = { ...coverage };
      for (let seed = 1; seed <= runs; seed++) runSchedule(seed * 7919 + voters.length, voters);
      const seen = Object.fromEntries(Object.entries(coverage).map(([k, v]) => [k, v - before[k as keyof typeof coverage]]));
      console.log(`${voters.length} voters: ${JSON.stringify(seen)}`);
      // Per run on average: several elections, dozens of commits; over all runs every fault happens.
      assert.ok(seen.leaderTerms! >= runs * 2, 'too few elections');
      assert.ok(seen.commits! >= runs * 20, 'too few commits');
      for (const k of ['crashes', 'partitions', 'snapshotsSent', 'compactions', 'rejectedProposals', 'transfers', 'transfersCompleted', 'shutdownsAfterTransfer']) {
        assert.ok(seen[k]! >= runs / 10, `too few ${k}`);
      }
    });
  }
}
