// gRPC handlers of the Broker service (produce, fetch, metadata, list offsets, producer ids): a thin
// mapping onto BrokerCore. Fetch answers leave as the bytes core/fetch-frame.ts laid out (records
// read from the segment files straight into them): the response serializer hands that buffer to
// grpc-js as it is, and encodes only what has no frame (an error answer).
import type * as grpc from '@grpc/grpc-js';
import type { ErrorCodeValue, wire } from '../../client/index.js';
import type { BrokerCore } from '../core/broker-core.js';
import type { FetchAnswer } from '../core/fetch-handler.js';
import { bidiStream, unary, type AdapterDeps } from './call-adapters.js';

// ProduceResponse has no request-level error field: a rejected request is answered with no
// partitions, in its place in the stream's order, so a pipelining client can still match it.
const produceError = (_code: number, _message: string, correlationId: number): wire.ProduceResponse =>
  ({ correlationId, topics: [], throttleTimeMs: 0 });

const fetchError = (code: number, _message: string, correlationId: number): wire.FetchResponse =>
  ({ correlationId, errorCode: code as ErrorCodeValue, throttleTimeMs: 0, topics: [] });

type FetchMethod = grpc.MethodDefinition<wire.FetchRequest__Output, FetchAnswer>;

/** The Broker service definition with Fetch and FetchStream answers serialized as their frames. */
export function brokerServiceDefinition(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const framed = (name: 'Fetch' | 'FetchStream'): grpc.MethodDefinition<unknown, unknown> => {
    const method = service[name] as unknown as FetchMethod;
    const encode = method.responseSerialize;
    const withFrame: FetchMethod = { ...method, responseSerialize: (answer) => answer.frame ?? encode(answer) };
    return withFrame as unknown as grpc.MethodDefinition<unknown, unknown>;
  };
  return { ...service, Fetch: framed('Fetch'), FetchStream: framed('FetchStream') };
}

export function brokerHandlers(core: BrokerCore, deps: AdapterDeps): wire.BrokerHandlers {
  return {
    Produce: unary('Produce', (req) => core.produce(req), deps),
    ProduceStream: bidiStream('ProduceStream', (req) => core.produce(req), deps, produceError, true),
    Fetch: unary('Fetch', (req, signal) => core.fetch(req, signal), deps, fetchError),
    FetchStream: bidiStream('FetchStream', (req, signal) => core.fetch(req, signal), deps, fetchError, false),
    Metadata: unary('Metadata', (req) => core.metadata(req), deps),
    ListOffsets: unary('ListOffsets', (req) => core.listOffsets(req), deps),
    InitProducerId: unary('InitProducerId', (req) => core.initProducerId(req), deps,
      (code) => ({ errorCode: code as ErrorCodeValue, producerId: -1, producerEpoch: -1 })),
  };
}
