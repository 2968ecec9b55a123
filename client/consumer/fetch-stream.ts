// A long-lived FetchStream to one broker carrying one long-poll at a time (the consumer keeps one
// fetch in flight per broker). A failed or timed-out stream is dropped and reopened on the next fetch;
// a broker without the stream is asked with unary Fetch instead.
import { status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, StraitError } from '../errors.js';
import { fromTransportError } from '../cluster/grpc-errors.js';
import type { BrokerClient } from '../wire/generated/strait/v1/Broker.js';
import type { FetchRequest } from '../wire/generated/strait/v1/FetchRequest.js';
import type { FetchResponse__Output } from '../wire/generated/strait/v1/FetchResponse.js';

interface Pending {
  correlationId: number;
  resolve: (res: FetchResponse__Output) => void;
  reject: (err: StraitError) => void;
  timer: NodeJS.Timeout;
}

export class FetchStreamConnection {
  readonly address: string;
  private readonly client: BrokerClient;
  private readonly timeoutMs: number;
  private stream: ClientDuplexStream<FetchRequest, FetchResponse__Output> | undefined;
  private pending: Pending | undefined;
  private nextCorrelationId = 1;
  private unaryOnly = false;

  constructor(client: BrokerClient, address: string, timeoutMs: number) {
    this.client = client;
    this.address = address;
    this.timeoutMs = timeoutMs;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  private settle(err: StraitError | undefined, res?: FetchResponse__Output): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(res!);
  }

  private open(): ClientDuplexStream<FetchRequest, FetchResponse__Output> {
    if (this.stream) return this.stream;
    const stream = this.client.FetchStream();
    stream.on('data', (res: FetchResponse__Output) => {
      if (this.pending && this.pending.correlationId === res.correlationId) this.settle(undefined, res);
    });
    const fail = (err: unknown): void => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      if ((err as Partial<ServiceError>)?.code === status.UNIMPLEMENTED) this.unaryOnly = true;
      this.settle(fromTransportError(err, this.address));
    };
    stream.on('error', fail);
    stream.on('end', () => fail(new StraitError(ErrorCode.NETWORK_EXCEPTION, `fetch stream to ${this.address} ended`)));
    this.stream = stream;
    return stream;
  }

  fetch(request: FetchRequest): Promise<FetchResponse__Output> {
    if (this.pending) return Promise.reject(new StraitError(ErrorCode.INVALID_REQUEST, 'a fetch is already in flight on this connection'));
    const correlationId = this.nextCorrelationId++;
    request.correlationId = correlationId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const stream = this.stream;
        this.stream = undefined;
        stream?.cancel();
        this.settle(new StraitError(ErrorCode.REQUEST_TIMED_OUT, `fetch from ${this.address} timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending = { correlationId, resolve, reject, timer };
      if (this.unaryOnly) {
        this.client.Fetch(request, { deadline: Date.now() + this.timeoutMs }, (err, res) => {
          if (this.pending?.correlationId !== correlationId) return;
          if (err || !res) this.settle(fromTransportError(err ?? new Error('empty response'), this.address));
          else this.settle(undefined, res);
        });
      } else {
        this.open().write(request);
      }
    });
  }

  close(): void {
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.settle(new StraitError(ErrorCode.NETWORK_EXCEPTION, 'consumer closed'));
  }
}
