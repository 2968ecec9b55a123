// The node's gRPC server: Broker, Admin, Groups, Replica and Quorum services, server reflection, large message
// limits and raised HTTP/2 windows (see http2-window.ts). One server per node, bound on every listener
// address.
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { Logger } from 'pino';
import { FLOW_CONTROL_WINDOW_BYTES, loadProtos, MAX_GRPC_MESSAGE_BYTES } from '../../client/index.js';
import type { BrokerCore } from '../core/broker-core.js';
import { quorumService } from '../quorum/quorum-clients.js';
import { adminHandlers } from './admin-service.js';
import { brokerHandlers, brokerServiceDefinition } from './broker-service.js';
import { groupsHandlers } from './groups-service.js';
import { RequestTracker, type RpcObserver } from './call-adapters.js';
import { quorumHandlers, type QuorumServiceDeps } from './quorum-service.js';
import { replicaHandlers, replicaServiceDefinition } from './replica-service.js';
import { raiseServerFlowControlWindow } from './http2-window.js';
import { withTolerantDeserializers } from './tolerant-deserializer.js';

export interface GrpcListener {
  readonly server: grpc.Server;
  /** The port bound for each address, in the order given. */
  readonly ports: readonly number[];
  /** Stops taking requests, waits up to graceMs for the ones in flight, then closes every call. */
  stop(graceMs: number): Promise<void>;
}

export async function startGrpcServer(options: {
  core: BrokerCore;
  /** Every address the one server is bound on (each serves every service); port 0: any free port. */
  addresses: readonly { host: string; port: number }[];
  observer: RpcObserver;
  logger: Logger;
  windowBytes?: number;
  /** What the metadata quorum's service answers from, on the same listener. */
  quorum?: QuorumServiceDeps;
}): Promise<GrpcListener> {
  const { definition, proto } = loadProtos();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const tracker = new RequestTracker();
  const deps = { observer: options.observer, logger: options.logger, tracker };
  server.addService(withTolerantDeserializers(brokerServiceDefinition(proto.strait.v1.Broker.service)), brokerHandlers(options.core, deps));
  server.addService(withTolerantDeserializers(proto.strait.v1.Admin.service), adminHandlers(options.core, deps));
  server.addService(withTolerantDeserializers(proto.strait.v1.Groups.service), groupsHandlers(options.core, deps));
  server.addService(withTolerantDeserializers(replicaServiceDefinition(proto.strait.v1.Replica.service)), replicaHandlers(options.core, deps));
  if (options.quorum) server.addService(withTolerantDeserializers(quorumService().service), quorumHandlers(options.quorum, deps));
  new ReflectionService(definition).addToServer(server);
  const ports: number[] = [];
  try {
    for (const address of options.addresses) {
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      ports.push(await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${host}:${address.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
          if (err) reject(err);
          else resolve(bound);
        });
      }));
    }
  } catch (err) {
    // One listener that cannot be bound stops the start: release the ones already bound.
    server.forceShutdown();
    throw err;
  }
  raiseServerFlowControlWindow(server, options.windowBytes ?? FLOW_CONTROL_WINDOW_BYTES);
  return {
    server,
    ports,
    stop: async (graceMs) => {
      tracker.draining = true;
      // Long-lived streams never end by themselves: stop new calls, let the requests already being
      // worked on finish, then close what is left.
      const unaryDone = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await tracker.idle(graceMs);
      server.forceShutdown();
      await Promise.race([unaryDone, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}
