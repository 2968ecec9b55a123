// The idempotent producer's identity: a producer id from InitProducerId and the current epoch.
// Epochs are bumped here, without asking the broker, as Kafka's idempotent producer does (KIP-360):
// no other producer shares the id, and each partition's log only needs the epoch to grow. Sequence
// numbers live per partition (sequence-window.ts).
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { unaryCall } from '../cluster/connection-pool.js';
import type { InitProducerIdResponse__Output } from '../wire/generated/strait/v1/InitProducerIdResponse.js';
import type { ProducerIdAndEpoch } from './sequence-window.js';

const MAX_EPOCH = 32767;

export class ProducerIdentity {
  private readonly cluster: Cluster;
  private readonly requestTimeoutMs: number;
  private identity: ProducerIdAndEpoch | undefined;
  private initializing = false;

  constructor(cluster: Cluster, requestTimeoutMs: number) {
    this.cluster = cluster;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  get ready(): boolean {
    return this.identity !== undefined;
  }

  /** The id and epoch new sequences are taken under; undefined until init succeeds. */
  get current(): ProducerIdAndEpoch | undefined {
    return this.identity;
  }

  /**
   * Asks for a producer id (with the cluster's retries) unless a request is under way. Stops when
   * wanted() turns false; done(err) runs at the end, with the error if no id was obtained.
   */
  init(wanted: () => boolean, done: (err?: StraitError) => void): void {
    if (this.initializing || this.identity) return;
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
          this.identity = { producerId: res.producerId, producerEpoch: res.producerEpoch };
          this.initializing = false;
          done();
        },
        (err: unknown) => {
          this.initializing = false;
          done(err instanceof StraitError ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err)));
        },
      );
  }

  /**
   * Moves past `from` (a partition's identity whose epoch must end): the next epoch, or a new producer
   * id once the epoch space is used up. Nothing changes when the current identity is already newer.
   */
  bumpFrom(from: ProducerIdAndEpoch | undefined): void {
    const id = this.identity;
    if (!id || !from || id.producerId !== from.producerId || id.producerEpoch !== from.producerEpoch) return;
    this.identity = id.producerEpoch < MAX_EPOCH ? { producerId: id.producerId, producerEpoch: id.producerEpoch + 1 } : undefined;
  }
}
