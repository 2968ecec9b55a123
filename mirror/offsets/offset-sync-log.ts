// A flow's offset syncs as the translating side sees them: the offset-syncs topic read into an
// OffsetSyncStore, whole at first (translation waits for that: KAFKA-15905/16622), then caught up
// before each use so translations use the newest syncs.
import type { Logger } from 'pino';
import type { Admin, ConsumerOptions } from '../../client/index.js';
import type { FlowConfig } from '../config/mirror-config.js';
import { COMPACTED, ensureTopic, type InternalTopicSpec } from '../internal-topics.js';
import type { FlowPolicy } from '../policy/flow-policy.js';
import { decodeOffsetSync } from './internal-records.js';
import { OffsetSyncStore } from './offset-sync-store.js';
import { TopicReader } from './topic-reader.js';

/** MM2's offset-syncs topic: one partition, compacted. */
export function offsetSyncsTopicSpec(flow: FlowConfig, policy: FlowPolicy): InternalTopicSpec {
  return { name: policy.offsetSyncsTopic(), partitions: 1, replicationFactor: flow.offsetSyncsTopicReplicationFactor, configs: COMPACTED };
}

export interface OffsetSyncLogOptions {
  flow: FlowConfig;
  policy: FlowPolicy;
  /** An admin and consumer options for policy.offsetSyncsCluster(). */
  admin: Admin;
  consumer: ConsumerOptions;
  logger: Logger;
  /** Create the topic when it is missing (true); a reader that must change nothing (failover, status)
   * says false and then sees no syncs while the topic does not exist. */
  createTopic?: boolean;
}

export class OffsetSyncLog {
  readonly store = new OffsetSyncStore();
  private readonly reader: TopicReader;

  constructor(private readonly options: OffsetSyncLogOptions) {
    const { policy, admin, consumer, logger } = options;
    this.reader = new TopicReader({
      topic: policy.offsetSyncsTopic(),
      admin,
      consumer,
      partitions: [0],
      logger: logger.child({ component: 'offset-sync-log' }),
      onRecord: (r) => this.store.add(decodeOffsetSync(r.key, r.value)),
    });
  }

  /** Reads the syncs written since the last call (all of them the first time); the store translates
   * from the first complete read on. Creates the topic when no writer has yet. */
  async catchUp(timeoutMs: number): Promise<void> {
    const { admin, flow, policy } = this.options;
    if (this.options.createTopic === false) {
      if (!(await admin.listTopics({ includeInternal: true })).includes(policy.offsetSyncsTopic())) {
        this.store.markReadToEnd();
        return;
      }
    } else if (!this.store.isReadToEnd) {
      await ensureTopic(admin, offsetSyncsTopicSpec(flow, policy));
    }
    await this.reader.readToEnd(timeoutMs);
    this.store.markReadToEnd();
  }

  get skippedRecords(): number {
    return this.reader.skippedRecords;
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
