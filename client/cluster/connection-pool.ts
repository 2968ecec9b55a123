// One gRPC channel per broker address, shared by that broker's Broker, Admin and Groups service clients.
import * as grpc from '@grpc/grpc-js';
import { channelOptions, loadProtos } from '../wire/proto.js';
import type { BrokerClient } from '../wire/generated/strait/v1/Broker.js';
import type { AdminClient } from '../wire/generated/strait/v1/Admin.js';
import type { GroupsClient } from '../wire/generated/strait/v1/Groups.js';
import { fromTransportError } from './grpc-errors.js';

/** Starts a unary call with the given options and callback (a closure over the client and request). */
export type UnaryInvoker<Res> = (options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/** Calls a unary method with a deadline (request.timeout.ms); transport failures become StraitErrors. */
export function unaryCall<Res>(invoke: UnaryInvoker<Res>, timeoutMs: number, address?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke({ deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) reject(fromTransportError(err, address));
      else if (res === undefined) reject(fromTransportError(new Error('empty response'), address));
      else resolve(res);
    });
  });
}

interface Connection {
  broker: BrokerClient;
  admin?: AdminClient;
  groups?: GroupsClient;
}

export class ConnectionPool {
  private readonly connections = new Map<string, Connection>();
  private readonly options: grpc.ChannelOptions;
  private closed = false;

  constructor(extraOptions: grpc.ChannelOptions = {}) {
    this.options = { ...channelOptions(), ...extraOptions };
  }

  private connection(address: string): Connection {
    if (this.closed) throw new Error('connection pool is closed');
    let conn = this.connections.get(address);
    if (!conn) {
      const { proto } = loadProtos();
      const broker = new proto.strait.v1.Broker(address, grpc.credentials.createInsecure(), this.options);
      conn = { broker };
      this.connections.set(address, conn);
    }
    return conn;
  }

  broker(address: string): BrokerClient {
    return this.connection(address).broker;
  }

  admin(address: string): AdminClient {
    const conn = this.connection(address);
    if (!conn.admin) {
      const { proto } = loadProtos();
      conn.admin = new proto.strait.v1.Admin(address, grpc.credentials.createInsecure(), {
        ...this.options,
        channelOverride: conn.broker.getChannel(),
      });
    }
    return conn.admin;
  }

  groups(address: string): GroupsClient {
    const conn = this.connection(address);
    if (!conn.groups) {
      const { proto } = loadProtos();
      conn.groups = new proto.strait.v1.Groups(address, grpc.credentials.createInsecure(), {
        ...this.options,
        channelOverride: conn.broker.getChannel(),
      });
    }
    return conn.groups;
  }

  close(): void {
    this.closed = true;
    for (const conn of this.connections.values()) conn.broker.close();
    this.connections.clear();
  }
}
