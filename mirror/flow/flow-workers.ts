// The workers of one flow share its partitions through the TARGET cluster's consumer-group protocol
// (DESIGN §9): every `strait mirror` process with the same config joins group
// `strait-mirror.<src>-><tgt>` on the target, subscribed to the flow's remote topic names, and the
// coordinator spreads their partitions (KIP-848, cooperative: a partition is revoked and acknowledged
// before another worker gets it). A member assigned remote partition `A.t-3` forwards source `t-3`.
// The member never reads the remote topics: its partitions are paused as soon as they are assigned;
// it only polls to take part in the group. A revocation is acknowledged after the forwarder has
// drained the partition and written its position, so the next owner starts where this one stopped.
import type { Logger } from 'pino';
import { Consumer, type ConsumerOptions, type TopicPartition } from '../../client/index.js';

export interface WorkerAssignment {
  /** Remote partitions this worker now owns, newly added. */
  assigned(partitions: readonly TopicPartition[]): Promise<void>;
  /** Remote partitions this worker gives up (revoked, or lost to a fence). */
  revoked(partitions: readonly TopicPartition[]): Promise<void>;
}

export function workerGroupId(source: string, target: string): string {
  return `strait-mirror.${source}->${target}`;
}

/** How long one poll of the member waits; group work wakes it sooner. */
const MEMBER_POLL_MS = 500;

export class FlowWorkers {
  private readonly consumer: Consumer;
  private running: Promise<void> | undefined;
  private stopping = false;
  private topics: string[] = [];

  constructor(
    targetConsumerOptions: ConsumerOptions,
    groupId: string,
    private readonly assignment: WorkerAssignment,
    private readonly logger: Logger,
    private readonly onError: (err: unknown) => void,
  ) {
    this.consumer = new Consumer({ ...targetConsumerOptions, 'group.id': groupId, 'enable.auto.commit': 'false' });
  }

  /** Joins with a subscription to these remote topics, or changes it. No topics: not a member yet. */
  subscribe(remoteTopics: readonly string[]): void {
    const topics = [...remoteTopics].sort();
    if (this.stopping || topics.length === 0 || JSON.stringify(topics) === JSON.stringify(this.topics)) return;
    this.topics = topics;
    this.consumer.subscribe(topics, {
      onPartitionsAssigned: async (partitions) => {
        if (partitions.length === 0) return;
        this.consumer.pause(partitions);
        this.logger.info({ partitions: partitions.map((p) => `${p.topic}-${p.partition}`) }, 'partitions assigned to this worker');
        await this.assignment.assigned(partitions);
      },
      onPartitionsRevoked: async (partitions) => {
        if (partitions.length === 0) return;
        this.logger.info({ partitions: partitions.map((p) => `${p.topic}-${p.partition}`) }, 'partitions revoked from this worker');
        await this.assignment.revoked(partitions);
      },
    });
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.consumer.poll(MEMBER_POLL_MS);
      } catch (err) {
        if (this.stopping) return;
        this.onError(err);
        await new Promise((resolve) => setTimeout(resolve, MEMBER_POLL_MS));
      }
    }
  }

  /** Leaves the group: every partition is revoked (drained, positions written) first. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.close();
    await this.running;
  }
}
