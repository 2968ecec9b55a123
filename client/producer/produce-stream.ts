// A long-lived ProduceStream to one broker: requests are pipelined and answered by correlation id.
// When the stream fails, every request on it fails with a retriable error and the next send opens a
// new stream; the sender then re-sends those batches in order (their sequences let the broker drop
// any it already wrote). Falls back to unary Produce calls if the broker lacks the stream.
import { status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, StraitError } from '../errors.js';
import { fromTransportError } from '../cluster/grpc-errors.js';
import type { BrokerClient } from '../wire/generated/strait/v1/Broker.js';
import type { ProduceRequest } from '../wire/generated/strait/v1/ProduceRequest.js';
import type { ProduceResponse__Output } from '../wire/generated/strait/v1/ProduceResponse.js';

interface Pending {
  resolve: (res: ProduceResponse__Output) => void;
  reject: (err: StraitError) => void;
  timer: NodeJS.Timeout;
}

export class ProduceStreamConnection {
  readonly address: string;
  private readonly client: BrokerClient;
  private readonly requestTimeoutMs: number;
  private stream: ClientDuplexStream<ProduceRequest, ProduceResponse__Output> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private unaryOnly = false;
  private unaryInFlight = 0;
  private blocked = false;
  /** Called when the connection can take more after back-pressure or a completed request. */
  onWritable: () => void = () => undefined;

  constructor(client: BrokerClient, address: string, requestTimeoutMs: number) {
    this.client = client;
    this.address = address;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /** Requests awaiting an answer. */
  get inFlight(): number {
    return this.pending.size + this.unaryInFlight;
  }

  /** False while the stream's write buffer is full. */
  get writable(): boolean {
    return !this.blocked;
  }

  private open(): ClientDuplexStream<ProduceRequest, ProduceResponse__Output> {
    if (this.stream) return this.stream;
    const stream = this.client.ProduceStream();
    stream.on('data', (res: ProduceResponse__Output) => {
      const p = this.pending.get(res.correlationId);
      if (!p) return; // acks=0 answers, or an answer after its timeout
      this.pending.delete(res.correlationId);
      clearTimeout(p.timer);
      p.resolve(res);
      this.onWritable();
    });
    stream.on('drain', () => {
      this.blocked = false;
      this.onWritable();
    });
    const fail = (err: unknown): void => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.blocked = false;
      if ((err as Partial<ServiceError>)?.code === status.UNIMPLEMENTED) this.unaryOnly = true;
      this.failAll(fromTransportError(err ?? new Error('produce stream ended'), this.address));
      this.onWritable();
    };
    stream.on('error', fail);
    stream.on('end', () => fail(new StraitError(ErrorCode.NETWORK_EXCEPTION, `produce stream to ${this.address} ended`)));
    this.stream = stream;
    return stream;
  }

  private failAll(err: StraitError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  /**
   * Sends a request. With expectResponse false (acks=0) nothing is awaited and undefined is returned;
   * otherwise the promise settles with the answer or a StraitError.
   */
  send(request: ProduceRequest, expectResponse: boolean): Promise<ProduceResponse__Output> | undefined {
    const correlationId = this.nextCorrelationId++;
    request.correlationId = correlationId;
    if (this.unaryOnly) return this.sendUnary(request, expectResponse);
    const stream = this.open();
    if (!stream.write(request)) this.blocked = true;
    if (!expectResponse) return undefined;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // An unanswered request leaves the stream's order unknown: start over on a new stream.
        if (this.stream === stream) {
          this.stream = undefined;
          stream.cancel();
        }
        this.failAll(new StraitError(ErrorCode.REQUEST_TIMED_OUT, `produce to ${this.address} timed out after ${this.requestTimeoutMs} ms`));
        this.onWritable();
      }, this.requestTimeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
    });
  }

  private sendUnary(request: ProduceRequest, expectResponse: boolean): Promise<ProduceResponse__Output> | undefined {
    this.unaryInFlight++;
    const done = new Promise<ProduceResponse__Output>((resolve, reject) => {
      this.client.Produce(request, { deadline: Date.now() + this.requestTimeoutMs }, (err, res) => {
        this.unaryInFlight--;
        if (err || !res) reject(fromTransportError(err ?? new Error('empty response'), this.address));
        else resolve(res);
        this.onWritable();
      });
    });
    if (!expectResponse) {
      done.catch(() => undefined);
      return undefined;
    }
    return done;
  }

  close(): void {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) stream.end();
    this.failAll(new StraitError(ErrorCode.NETWORK_EXCEPTION, 'producer closed'));
  }
}
