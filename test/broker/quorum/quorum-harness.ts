// In-process voters for quorum tests: each node is a RaftQuorum + ActiveController + MetadataState
// behind its own gRPC server on a loopback port (decoding and answering through the call adapters as
// the node's server does), so messages really travel over gRPC.
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { QuorumVoter } from '../../../broker/config/broker-config.js';
import { ActiveController } from '../../../broker/controller/active-controller.js';
import { defaultTopicConfig } from '../../../broker/log/topic-config.js';
import { MetadataState } from '../../../broker/quorum/metadata-state.js';
import { QuorumClients, quorumService } from '../../../broker/quorum/quorum-clients.js';
import { RequestTracker } from '../../../broker/rpc/call-adapters.js';
import { quorumHandlers } from '../../../broker/rpc/quorum-service.js';
import { RaftQuorum } from '../../../broker/quorum/raft-quorum.js';
import { withTolerantDeserializers } from '../../../broker/rpc/tolerant-deserializer.js';

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface VoterNode {
  id: number;
  dir: string;
  state: MetadataState;
  quorum: RaftQuorum;
  controller: ActiveController;
  fatal: string[];
  /** Every Quorum call this node answered, as the request metrics see it. */
  answered: { rpc: string; error: string }[];
  /** The service's shutdown drain: set draining to refuse new calls as a stopping node does. */
  tracker: RequestTracker;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  clusterId?: string;
  electionTimeoutMs?: number;
  snapshotIntervalRecords?: number;
}

export const silent = pino({ level: 'silent' });

export async function startVoter(id: number, voters: QuorumVoter[], dir: string, opts: HarnessOptions = {}): Promise<VoterNode> {
  const clusterId = opts.clusterId ?? 'test-cluster';
  const state = new MetadataState(silent);
  const clients = new QuorumClients();
  const fatal: string[] = [];
  const quorum = new RaftQuorum({
    nodeId: id, voters, clusterId, dir, electionTimeoutMs: opts.electionTimeoutMs ?? 200, requestTimeoutMs: 500,
    snapshotIntervalRecords: opts.snapshotIntervalRecords ?? 1000, state, clients, logger: silent, onFatal: (m) => fatal.push(m),
  });
  const controller = new ActiveController({ quorum, state, clusterId, sessionTimeoutMs: 60_000, heartbeatIntervalMs: 1000, logger: silent });
  const answered: { rpc: string; error: string }[] = [];
  const tracker = new RequestTracker();
  const server = new grpc.Server();
  server.addService(withTolerantDeserializers(quorumService().service), quorumHandlers({
    clusterId, state, quorum, controller, decisionContext: { topicDefaults: defaultTopicConfig(), sessionTimeoutMs: 60_000 },
    requestTimeoutMs: 2000,
  }, { observer: { requestDone: (rpc, _seconds, error) => answered.push({ rpc, error }) }, logger: silent, tracker }));
  const me = voters.find((v) => v.id === id)!;
  await new Promise<void>((resolve, reject) => server.bindAsync(`127.0.0.1:${me.port}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  quorum.start();
  let stopped = false;
  return {
    id, dir, state, quorum, controller, fatal, answered, tracker,
    async stop() {
      if (stopped) return;
      stopped = true;
      controller.stop();
      quorum.stop();
      clients.close();
      server.forceShutdown();
    },
  };
}

export async function startVoters(n: number, opts: HarnessOptions = {}): Promise<{ voters: QuorumVoter[]; nodes: VoterNode[]; base: string; cleanup(): Promise<void> }> {
  const ports = await freePorts(n);
  const voters = ports.map((port, i) => ({ id: i + 1, host: '127.0.0.1', port }));
  const base = mkdtempSync(path.join(os.tmpdir(), 'strait-quorum-'));
  const nodes = await Promise.all(voters.map((v) => startVoter(v.id, voters, path.join(base, `node-${v.id}`), opts)));
  return {
    voters, nodes, base,
    async cleanup() {
      await Promise.all(nodes.map((node) => node.stop()));
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Polls until check returns a value; fails after timeoutMs naming what it waited for. */
export async function eventually<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The one node that is the active controller, once all running nodes agree on it. */
export function agreedLeader(nodes: readonly VoterNode[]): VoterNode | undefined {
  const leaders = nodes.filter((n) => n.controller.isActive);
  if (leaders.length !== 1) return undefined;
  const leader = leaders[0]!;
  return nodes.every((n) => n.quorum.leaderId() === leader.id) ? leader : undefined;
}
