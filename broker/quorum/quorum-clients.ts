// gRPC clients of other nodes' Quorum service, one channel per address, kept for the node's life.
// A call to a node that is down fails fast (deadline, no wait for ready) and costs nothing else.
import * as grpc from '@grpc/grpc-js';
import { channelOptions, ErrorCode, loadProtos, StraitError, type StraitProto, type wire } from '../../client/index.js';

/** The Quorum service definition, from the same package definition the server loads. */
export function quorumService(): StraitProto['strait']['v1']['Quorum'] {
  return loadProtos().proto.strait.v1.Quorum;
}

export type QuorumMethod = 'Raft' | 'FetchMetadata' | 'BrokerRegistration' | 'BrokerHeartbeat' | 'AllocateProducerIds' | 'ControllerWrite';

export class QuorumClients {
  private readonly clients = new Map<string, wire.QuorumClient>();
  private closed = false;

  private client(address: string): wire.QuorumClient {
    let client = this.clients.get(address);
    if (!client) {
      const Quorum = quorumService();
      client = new Quorum(address, grpc.credentials.createInsecure(), {
        ...channelOptions(),
        // A peer that is down must not make its calls wait for seconds of reconnect backoff.
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 1000,
      });
      this.clients.set(address, client);
    }
    return client;
  }

  /** One unary call with a deadline; a transport failure becomes a retriable StraitError. */
  call<Req, Res>(address: string, method: QuorumMethod, request: Req, timeoutMs: number): Promise<Res> {
    if (this.closed) return Promise.reject(new StraitError(ErrorCode.BROKER_NOT_AVAILABLE, 'The node is shutting down.'));
    const client = this.client(address) as unknown as Record<string, (req: Req, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void>;
    return new Promise((resolve, reject) => {
      client[method]!.call(client, request, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err || res === undefined) {
          const code = err?.code === grpc.status.DEADLINE_EXCEEDED ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NETWORK_EXCEPTION;
          reject(new StraitError(code, `${method} to ${address} failed: ${err?.details ?? 'no response'}`));
        } else {
          resolve(res);
        }
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
