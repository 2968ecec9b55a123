// The offsets part of every flow of a mirror process, as a FlowExtensionFactory for MirrorFlow: a
// FlowOffsets per flow (offset-sync writer as a forward listener; checkpoints, group offset sync,
// heartbeats and the heartbeat monitor as a task), with the opposite flow of the config when it is
// enabled, and producers of its own (closed with it) whose sends give up after a while: offset syncs,
// checkpoints and heartbeats are written again at their next turn, and a cluster that is down must not
// hold a draining worker (the data path's producers never give up).
import { Producer } from '../../client/index.js';
import type { MirrorConfig } from '../config/mirror-config.js';
import type { FlowExtensionFactory } from '../flow/mirror-flow.js';
import { FlowOffsets } from './flow-offsets.js';

/** How long an offset sync, checkpoint or heartbeat is retried before the next turn writes a newer one. */
const OFFSETS_DELIVERY_TIMEOUT_MS = '60000';

export function offsetsExtension(config: MirrorConfig): FlowExtensionFactory {
  return ({ flow, policy, source, target, metrics, logger }) => {
    const producerOptions = (options: typeof source.producerOptions) => ({ ...options, 'delivery.timeout.ms': OFFSETS_DELIVERY_TIMEOUT_MS });
    const sourceProducer = new Producer(producerOptions(source.producerOptions));
    const targetProducer = new Producer(producerOptions(target.producerOptions));
    const reverseFlow = config.flows.find((f) => f.source === flow.target && f.target === flow.source);
    const offsets = new FlowOffsets({
      flow, policy, metrics, logger, ...(reverseFlow ? { reverseFlow } : {}),
      clients: {
        sourceAdmin: source.admin, targetAdmin: target.admin, sourceProducer, targetProducer,
        sourceConsumer: source.consumerOptions, targetConsumer: target.consumerOptions,
      },
    });
    return {
      listeners: [offsets.listener],
      tasks: [{
        start: () => offsets.start(),
        stop: async () => {
          await offsets.stop();
          await Promise.all([sourceProducer.close(2000), targetProducer.close(2000)]);
        },
      }],
    };
  };
}
