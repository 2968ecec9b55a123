// Wraps a service's request deserializers so that bytes protobuf cannot decode become a
// MalformedRequest value handed to the handler, instead of grpc-js failing the call (and, on a
// stream, every request in flight behind it). The handler then answers that one request with an
// error and the stream carries on.
import type * as grpc from '@grpc/grpc-js';

export class MalformedRequest {
  constructor(readonly reason: string, readonly correlationId: number) {}
}

/** correlation_id is field 1 (varint) in every pipelined request; recover it when it leads. */
function leadingCorrelationId(buf: Buffer): number {
  if (buf.length < 2 || buf[0] !== 0x08) return 0;
  let value = 0;
  let scale = 1;
  for (let i = 1; i < buf.length && i < 9; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return Number.isSafeInteger(value) ? value : 0;
    scale *= 128;
  }
  return 0;
}

export function withTolerantDeserializers<T extends grpc.ServiceDefinition>(service: T): T {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    const decode = method.requestDeserialize;
    out[name] = {
      ...method,
      requestDeserialize: (buf: Buffer): unknown => {
        try {
          return decode(buf);
        } catch (err) {
          return new MalformedRequest((err as Error).message, leadingCorrelationId(buf));
        }
      },
    };
  }
  return out as unknown as T;
}
