// Producer ids for InitProducerId, handed out from blocks the active controller allocates through
// the metadata log (AllocateProducerIds), so no two brokers and no two incarnations ever hand out the
// same id. Concurrent requests share one block request.
import { ErrorCode, StraitError } from '../../client/index.js';
import type { ControllerChannel, ProducerIdBlock } from '../controller/index.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import type { BrokerLifecycle } from './broker-lifecycle.js';

export class ProducerIdBlocks {
  private next = 0;
  private end = 0;
  private fetching: Promise<void> | undefined;

  constructor(
    private readonly nodeId: number,
    private readonly lifecycle: BrokerLifecycle,
    private readonly channel: ControllerChannel,
    private readonly state: MetadataState,
    private readonly timeoutMs: number,
  ) {}

  /** True for an id some broker of the cluster has been given (in a block the log recorded). */
  isIssued(id: number): boolean {
    return Number.isSafeInteger(id) && id >= 0 && id < this.state.image.nextProducerId;
  }

  async allocate(): Promise<number> {
    while (this.next >= this.end) {
      this.fetching ??= this.fetchBlock().finally(() => { this.fetching = undefined; });
      await this.fetching;
    }
    return this.next++;
  }

  private async fetchBlock(): Promise<void> {
    const brokerEpoch = this.lifecycle.brokerEpoch;
    if (brokerEpoch < 0) throw new StraitError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'This broker has not registered with the controller yet.');
    const { response } = await this.channel.run('allocateProducerIds', { brokerId: this.nodeId, brokerEpoch }, this.timeoutMs);
    const block = response as ProducerIdBlock;
    this.next = block.firstProducerId;
    this.end = block.firstProducerId + block.size;
  }
}
