// Shared by the Raft unit tests and the simulation: a seeded PRNG, node construction, and a tiny
// instant network for tests that only need messages to arrive.
import { RaftNode } from '../../../../broker/quorum/raft/raft-node.js';
import { MemoryRaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import type { RaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import type { LogEntry, OutgoingMessage, RaftConfig, RaftMessage, RaftOutput } from '../../../../broker/quorum/raft/raft-types.js';

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function testConfig(nodeId: number, voters: readonly number[]): RaftConfig {
  return {
    nodeId,
    voters,
    electionTimeoutMinMs: 150,
    electionTimeoutMaxMs: 300,
    heartbeatIntervalMs: 30,
    maxEntriesPerAppend: 64,
    maxBytesPerAppend: 64 * 1024,
  };
}

/** Nodes connected by a network that delivers every message at once, in order. */
export class InstantCluster {
  readonly nodes = new Map<number, RaftNode>();
  readonly storages = new Map<number, MemoryRaftStorage>();
  readonly committed = new Map<number, LogEntry[]>();
  /** Links that drop everything: "from->to". */
  readonly cut = new Set<string>();
  /** Every message that reached its receiver, in delivery order. */
  readonly delivered: { from: number; to: number; message: RaftMessage }[] = [];
  now = 0;

  constructor(readonly voters: readonly number[], seed = 1) {
    const random = mulberry32(seed);
    for (const id of voters) {
      const storage = new MemoryRaftStorage();
      this.storages.set(id, storage);
      this.committed.set(id, []);
      this.nodes.set(id, new RaftNode(testConfig(id, voters), storage, random, 0));
    }
  }

  node(id: number): RaftNode {
    return this.nodes.get(id)!;
  }

  storage(id: number): RaftStorage {
    return this.storages.get(id)!;
  }

  isolate(id: number): void {
    for (const other of this.voters) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Delivers the output's messages and everything they cause, breadth first. */
  deliver(from: number, output: RaftOutput): void {
    const queue: { from: number; out: OutgoingMessage }[] = [];
    const take = (sender: number, o: RaftOutput): void => {
      this.committed.get(sender)!.push(...o.committed);
      for (const out of o.messages) queue.push({ from: sender, out });
    };
    take(from, output);
    for (let i = 0; i < queue.length; i++) {
      const { from: sender, out } = queue[i]!;
      if (this.cut.has(`${sender}->${out.to}`)) continue;
      this.delivered.push({ from: sender, to: out.to, message: out.message });
      take(out.to, this.node(out.to).receive(sender, out.message, this.now));
    }
  }

  advance(ms: number, stepMs = 10): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now += stepMs;
      for (const [id, node] of this.nodes) this.deliver(id, node.tick(this.now));
    }
  }

  leaders(): number[] {
    return [...this.nodes].filter(([, n]) => n.status().role === 'leader').map(([id]) => id);
  }
}
