// The Replica service: follower fetches, on the same call adapters as Broker, Admin and Quorum
// (request metrics, the shutdown drain, one error mapping). Its answers leave as the bytes
// replication/replica-fetch-frame.ts laid out (records read from the segment files straight into
// them): the response serializer hands that buffer to grpc-js as it is.
import type * as grpc from '@grpc/grpc-js';
import type { wire } from '../../client/index.js';
import type { BrokerCore } from '../core/broker-core.js';
import { encodeReplicaFetchError, type EncodedReplicaFetchResponse } from '../replication/index.js';
import { bidiStream, type AdapterDeps } from './call-adapters.js';

type ReplicaFetchMethod = grpc.MethodDefinition<wire.ReplicaFetchRequest__Output, EncodedReplicaFetchResponse>;

/** The Replica service definition with ReplicaFetch answers serialized as their prepared frames. */
export function replicaServiceDefinition(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const method = service['ReplicaFetch'] as unknown as ReplicaFetchMethod;
  const replicaFetch: ReplicaFetchMethod = { ...method, responseSerialize: (answer) => answer.frame };
  return { ...service, ReplicaFetch: replicaFetch as unknown as grpc.MethodDefinition<unknown, unknown> };
}

export function replicaHandlers(core: BrokerCore, deps: AdapterDeps): grpc.UntypedServiceImplementation {
  return {
    ReplicaFetch: bidiStream<wire.ReplicaFetchRequest__Output, EncodedReplicaFetchResponse>('ReplicaFetch',
      (req, signal) => core.replicaFetch(req, signal), deps,
      (code, message, correlationId) => encodeReplicaFetchError(correlationId, code, message), false),
  };
}
