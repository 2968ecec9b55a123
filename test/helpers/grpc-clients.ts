// Plain grpc-js clients for tests that talk to a broker without the SDK.
import * as grpc from '@grpc/grpc-js';
import { channelOptions, loadProtos } from '../../client/wire/proto.js';
import type { BrokerClient } from '../../client/wire/generated/strait/v1/Broker.js';
import type { AdminClient } from '../../client/wire/generated/strait/v1/Admin.js';

export function brokerClient(address: string): BrokerClient {
  const { proto } = loadProtos();
  return new proto.strait.v1.Broker(address, grpc.credentials.createInsecure(), channelOptions());
}

export function adminClient(address: string): AdminClient {
  const { proto } = loadProtos();
  return new proto.strait.v1.Admin(address, grpc.credentials.createInsecure(), channelOptions());
}

/** Promisifies one unary call: rpc((cb) => client.Produce(req, cb)). */
export function rpc<Res>(invoke: (cb: (err: grpc.ServiceError | null, res?: Res) => void) => void): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    invoke((err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}

/** Deadline option for calls that must not hang a test. */
export function within(ms: number): grpc.CallOptions {
  return { deadline: Date.now() + ms };
}
