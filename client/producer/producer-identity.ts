// The idempotent producer's identity: a producer id and epoch from InitProducerId, and per-partition
// sequence numbers stamped into each batch the first time it is sent.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { unaryCall } from '../cluster/connection-pool.js';
import type { InitProducerIdResponse__Output } from '../wire/generated/strait/v1/InitProducerIdResponse.js';
import type { ProducerBatch } from './producer-batch.js';
import { SequenceNumbers } from './sequence-numbers.js';

/** Errors after which the broker will not accept this producer's next sequence numbers. */
export const FATAL_SEQUENCE_ERRORS: ReadonlySet<number> = new Set<number>([
  ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ErrorCode.UNKNOWN_PRODUCER_ID,
  ErrorCode.INVALID_PRODUCER_EPOCH,
]);

export class ProducerIdentity {
  private readonly cluster: Cluster;
  private readonly requestTimeoutMs: number;
  private readonly sequences = new SequenceNumbers();
  private current: { producerId: number; producerEpoch: number } | undefined;
  private initializing = false;

  constructor(cluster: Cluster, requestTimeoutMs: number) {
    this.cluster = cluster;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  /**
   * Asks for a producer id (with the cluster's retries) unless a request is under way. Stops when
   * wanted() turns false; done(err) runs at the end, with the error if no id was obtained.
   */
  init(wanted: () => boolean, done: (err?: StraitError) => void): void {
    if (this.initializing || this.current) return;
    this.initializing = true;
    this.cluster
      .retry(async (bail) => {
        if (!wanted()) bail(new StraitError(ErrorCode.NETWORK_EXCEPTION, 'no records wait for a producer id'));
        const address = this.cluster.anyAddress();
        const client = this.cluster.pool.broker(address);
        const res = await unaryCall<InitProducerIdResponse__Output>(
          (o, cb) => client.InitProducerId({ transactionalId: '', transactionTimeoutMs: 0, producerId: -1, producerEpoch: -1 }, o, cb),
          this.requestTimeoutMs,
          address,
        );
        const err = errorFromCode(res.errorCode);
        if (err) throw err;
        return res;
      })
      .then(
        (res) => {
          this.current = { producerId: res.producerId, producerEpoch: res.producerEpoch };
          this.sequences.reset();
          this.initializing = false;
          done();
        },
        (err: unknown) => {
          this.initializing = false;
          done(err instanceof StraitError ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err)));
        },
      );
  }

  /** Takes the batch's sequence numbers and writes the producer fields into it. */
  stamp(batch: ProducerBatch): void {
    if (!this.current) throw new StraitError(ErrorCode.UNKNOWN_PRODUCER_ID, 'no producer id yet');
    batch.baseSequence = this.sequences.take(batch.topic, batch.partition, batch.recordCount);
    batch.producerId = this.current.producerId;
    batch.builder.setProducerFields({ ...this.current, baseSequence: batch.baseSequence });
  }

  /**
   * Drops the producer id after the broker lost track of its sequences (where Kafka bumps the epoch),
   * so the next init takes a new one. False when that id was already replaced.
   */
  reset(failedProducerId: number): boolean {
    if (!this.current || this.current.producerId !== failedProducerId) return false;
    this.current = undefined;
    this.sequences.reset();
    return true;
  }
}
