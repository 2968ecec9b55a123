// An in-process fake of the broker side of consumer groups (test-only, until broker/groups/ lands):
// `nodes` gRPC servers on loopback, each serving the Groups service from one shared FakeGroups and
// forwarding the Broker and Admin services to a real broker process. Metadata answers name the fake
// nodes as the brokers (node 1 stands for the real broker, which leads every partition), so clients
// bootstrapped from a fake node never talk to the real broker directly. One node is the coordinator
// of every group; failover() moves that role to the next node the way a broker failover would:
// streams to the old coordinator get NOT_COORDINATOR, the new one answers COORDINATOR_LOAD_IN_PROGRESS
// while it "loads", and the groups (members, epochs, offsets) carry over.
import * as grpc from '@grpc/grpc-js';
import { Admin, channelOptions, ErrorCode, loadProtos, type wire } from '../../../client/index.js';
import type { GroupRequest__Output } from '../../../client/wire/generated/strait/v1/GroupRequest.js';
import type { GroupResponse } from '../../../client/wire/generated/strait/v1/GroupResponse.js';
import type { GroupsHandlers } from '../../../client/wire/generated/strait/v1/Groups.js';
import { proxyService } from './broker-proxy.js';
import { FakeGroups, type FakeGroupsConfig, type MemberChannel } from './group-state.js';

export interface FakeCoordinatorOptions {
  /** The real broker everything but Groups goes to. */
  brokerAddress: string;
  /** Fake nodes (default 2: one to fail over to). */
  nodes?: number;
  config?: Partial<FakeGroupsConfig>;
  /** How often the fake reads the real broker's topics (regex subscriptions, new partitions). */
  topicRefreshMs?: number;
}

export interface FakeCoordinator {
  /** bootstrap.servers for clients: the fake nodes. */
  readonly bootstrap: string;
  readonly addresses: readonly string[];
  readonly groups: FakeGroups;
  /** The node id that coordinates every group now. */
  coordinatorId(): number;
  /** Moves the coordinator role to the next node, which loads for loadMs. */
  failover(loadMs?: number): void;
  /** Breaks every member's stream, as a cut connection would (members stay in their groups). */
  breakStreams(): void;
  /** Reads the real broker's topics now. */
  refreshTopics(): Promise<void>;
  stop(): Promise<void>;
}

interface OpenStream {
  node: number;
  channel: MemberChannel;
  call: grpc.ServerDuplexStream<GroupRequest__Output, GroupResponse>;
}

export async function startFakeCoordinator(options: FakeCoordinatorOptions): Promise<FakeCoordinator> {
  const { proto } = loadProtos();
  const nodeCount = options.nodes ?? 2;
  const groups = new FakeGroups(options.config);
  const upstream = new grpc.Client(options.brokerAddress, grpc.credentials.createInsecure(), channelOptions());
  const admin = new Admin({ 'bootstrap.servers': options.brokerAddress });
  const servers: grpc.Server[] = [];
  const ports: number[] = [];
  let coordinator = 1;
  let loadingUntil = 0;
  const open = new Set<OpenStream>();

  const metadataService = proto.strait.v1.Broker.service.Metadata;
  const rewriteMetadata = (answer: Buffer): Buffer => {
    const res = metadataService.responseDeserialize(answer) as wire.MetadataResponse__Output;
    res.brokers = ports.map((port, i) => ({ nodeId: i + 1, host: '127.0.0.1', port, rack: '' }));
    return metadataService.responseSerialize(res) as Buffer;
  };

  /** Why node `node` cannot serve a group call now, if it cannot. */
  const refusal = (node: number): { errorCode: wire.ErrorCode; errorMessage: string } | undefined => {
    if (node !== coordinator) return { errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: `node ${node} is not the coordinator` };
    if (Date.now() < loadingUntil) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, errorMessage: 'loading' };
    return undefined;
  };

  const groupsHandlers = (node: number): GroupsHandlers => ({
    FindCoordinator: (_call, cb) => cb(null, { errorCode: ErrorCode.NONE, nodeId: coordinator, host: '127.0.0.1', port: ports[coordinator - 1]! }),
    GroupStream: (call) => {
      let live = true;
      const channel: MemberChannel = {
        send: (res) => {
          if (live) call.write(res);
        },
        end: () => {
          if (!live) return;
          live = false;
          call.end();
        },
      };
      const entry: OpenStream = { node, channel, call };
      open.add(entry);
      let joined = false;
      call.on('data', (req: GroupRequest__Output) => {
        if (!live) return;
        const refused = refusal(node);
        if (refused) {
          channel.send(refused);
          channel.end();
          return;
        }
        if (req.kind === 'join' && req.join && !joined) {
          joined = true;
          groups.join(channel, req.join);
        } else if (req.kind === 'heartbeat' && req.heartbeat && joined) {
          groups.heartbeat(channel, req.heartbeat.memberEpoch, req.heartbeat.owned);
        } else if (req.kind === 'leave' && req.leave && joined) {
          groups.leave(channel, req.leave.memberEpoch);
        } else {
          channel.send({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `unexpected ${req.kind ?? 'message'}` });
          channel.end();
        }
      });
      const closed = (): void => {
        open.delete(entry);
        live = false;
        groups.channelClosed(channel);
      };
      call.on('end', () => {
        closed();
        call.end();
      });
      call.on('error', closed);
      call.on('cancelled', closed);
    },
    OffsetCommit: (call, cb) => cb(null, refusal(node) ?? groups.commit(call.request)),
    OffsetFetch: (call, cb) => cb(null, refusal(node) ?? groups.fetch(call.request)),
    OffsetDelete: (call, cb) => cb(null, refusal(node) ?? groups.deleteOffsets(call.request)),
    DescribeGroups: (call, cb) => {
      const refused = refusal(node);
      cb(null, { groups: call.request.groupIds.map((id) => (refused ? { groupId: id, ...refused } : groups.describe(id, coordinator))) });
    },
    DeleteGroups: (call, cb) => {
      const refused = refusal(node);
      cb(null, { groups: call.request.groupIds.map((id) => (refused ? { groupId: id, ...refused } : groups.deleteGroup(id))) });
    },
    ListGroups: (call, cb) => {
      if (node !== coordinator) return cb(null, { errorCode: ErrorCode.NONE, groups: [] });
      const refused = refusal(node);
      cb(null, refused ? { errorCode: refused.errorCode, groups: [] } : { errorCode: ErrorCode.NONE, groups: groups.list(call.request.statesFilter) });
    },
  });

  for (let node = 1; node <= nodeCount; node++) {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 });
    const broker = proxyService(proto.strait.v1.Broker.service, upstream, { Metadata: rewriteMetadata });
    server.addService(broker.definition, broker.handlers);
    const adminProxy = proxyService(proto.strait.v1.Admin.service, upstream);
    server.addService(adminProxy.definition, adminProxy.handlers);
    server.addService(proto.strait.v1.Groups.service, groupsHandlers(node));
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    servers.push(server);
    ports.push(port);
  }

  const refreshTopics = async (): Promise<void> => {
    const names = await admin.listTopics();
    const described = names.length > 0 ? await admin.describeTopics(names) : [];
    groups.setTopics(new Map(described.map((d) => [d.name, d.partitions.length])));
  };
  await refreshTopics();
  let refreshing = false;
  const topicTimer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    refreshTopics().catch(() => undefined).finally(() => (refreshing = false));
  }, options.topicRefreshMs ?? 300);
  const tickTimer = setInterval(() => groups.tick(), 50);

  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  return {
    bootstrap: addresses[0]!,
    addresses,
    groups,
    coordinatorId: () => coordinator,
    failover: (loadMs = 500) => {
      const old = coordinator;
      coordinator = (coordinator % nodeCount) + 1;
      loadingUntil = Date.now() + loadMs;
      groups.detachAll();
      for (const s of [...open]) {
        if (s.node !== old) continue;
        open.delete(s);
        s.channel.send({ errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: `node ${old} is no longer the coordinator` });
        s.channel.end();
      }
    },
    breakStreams: () => {
      for (const s of [...open]) {
        open.delete(s);
        // What a cut connection looks like to the client: the call fails UNAVAILABLE.
        s.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'cut by the test' });
      }
    },
    refreshTopics,
    stop: async () => {
      clearInterval(topicTimer);
      clearInterval(tickTimer);
      for (const s of servers) s.forceShutdown();
      upstream.close();
      await admin.close();
    },
  };
}
