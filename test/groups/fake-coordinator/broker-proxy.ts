// Forwards a gRPC service's calls, bytes unchanged, to a real broker process (test-only): the fake
// coordinator's nodes serve the Broker and Admin services this way, so clients that bootstrap from a
// fake node produce, fetch and create topics on a real broker while their group calls reach the fake.
// `rewrite` may change a unary answer's bytes (the Metadata answer, to name the fake nodes as brokers).
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

export function proxyService(
  service: grpc.ServiceDefinition,
  target: grpc.Client,
  rewrite: Record<string, (answer: Buffer) => Buffer> = {},
): { definition: grpc.ServiceDefinition; handlers: grpc.UntypedServiceImplementation } {
  const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) {
    definition[name] = { ...method, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity };
    if (!method.requestStream && !method.responseStream) {
      handlers[name] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        target.makeUnaryRequest(method.path, identity, identity, call.request, new grpc.Metadata(), { deadline: call.getDeadline() }, (err, answer) => {
          if (err || !answer) callback(err ?? { code: grpc.status.INTERNAL, details: 'empty answer' } as grpc.ServiceError);
          else callback(null, rewrite[name] ? rewrite[name](answer) : answer);
        });
      };
    } else if (method.requestStream && method.responseStream) {
      handlers[name] = (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        const upstream = target.makeBidiStreamRequest(method.path, identity, identity, new grpc.Metadata());
        let done = false;
        const finish = (): void => {
          done = true;
        };
        call.on('data', (b: Buffer) => upstream.write(b));
        call.on('end', () => upstream.end());
        call.on('error', () => upstream.cancel());
        call.on('cancelled', () => upstream.cancel());
        upstream.on('data', (b: Buffer) => {
          if (!done) call.write(b);
        });
        upstream.on('end', () => {
          if (done) return;
          finish();
          call.end();
        });
        upstream.on('error', (err: grpc.ServiceError) => {
          if (done) return;
          finish();
          call.destroy(err);
        });
      };
    } else {
      throw new Error(`proxyService: ${name} streams one way only, which no Strait service does`);
    }
  }
  return { definition: definition as grpc.ServiceDefinition, handlers };
}
