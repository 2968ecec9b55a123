// Group offset sync (MM2's sync.group.offsets, KIP-545): every sync.group.offsets.interval.seconds, on
// its own timer (MM2 tied it to the checkpoint rounds, KAFKA-16798), the newest checkpoints of each
// group are committed to the same group on the target, for groups with no active member there (a
// consumer on the target owns its offsets), and only where they move the group's offset forward.
import type { Logger } from 'pino';
import { AdminOperationError, ErrorCode, StraitError, type Admin, type OffsetToCommit } from '../../client/index.js';
import type { FlowConfig } from '../config/mirror-config.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import type { CheckpointEmitter } from './checkpoint-emitter.js';
import { PeriodicTask } from './periodic-task.js';

/** The number of members a group has on a cluster; 0 for a group the cluster does not know. */
export async function activeMembers(admin: Admin, group: string): Promise<number> {
  try {
    const [description] = await admin.describeGroups([group]);
    return description!.members.length;
  } catch (err) {
    if (err instanceof AdminOperationError && err.failures.every((f) => f.error.code === ErrorCode.GROUP_ID_NOT_FOUND)) return 0;
    throw err;
  }
}

/** Whether an error says the group got members meanwhile (the coordinator refuses commits from outside). */
export function isGroupBusy(err: unknown): boolean {
  const codes: number[] = [ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.NON_EMPTY_GROUP, ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.FENCED_MEMBER_EPOCH];
  if (err instanceof StraitError) return codes.includes(err.code);
  return err instanceof AdminOperationError && err.failures.every((f) => codes.includes(f.error.code));
}

export interface GroupOffsetSyncOptions {
  flow: FlowConfig;
  targetAdmin: Admin;
  /** Its ledger holds the checkpoints committed from. */
  checkpoints: CheckpointEmitter;
  metrics: FlowMetrics;
  logger: Logger;
}

export class GroupOffsetSync {
  private readonly task: PeriodicTask;
  private readonly logger: Logger;

  constructor(private readonly options: GroupOffsetSyncOptions) {
    const { flow, metrics } = options;
    this.logger = options.logger.child({ component: 'group-offset-sync', source: flow.source, target: flow.target });
    this.task = new PeriodicTask('group offset sync', flow.syncGroupOffsetsIntervalMs, () => this.syncGroups(), () => metrics.error('group-offset-sync'), this.logger);
  }

  start(): void {
    this.task.start();
  }

  runNow(): Promise<void> {
    return this.task.runNow();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private async syncGroups(): Promise<void> {
    const { checkpoints } = this.options;
    if (!checkpoints.ready) return;
    for (const group of checkpoints.ledger.groupIds()) {
      try {
        await this.syncGroup(group);
      } catch (err) {
        if (!isGroupBusy(err)) throw err;
        this.logger.debug({ group }, 'group got members on the target meanwhile: its offsets are its own');
      }
    }
  }

  private async syncGroup(group: string): Promise<void> {
    const { targetAdmin, checkpoints, metrics } = this.options;
    if ((await activeMembers(targetAdmin, group)) > 0) return;
    const current = new Map((await targetAdmin.listConsumerGroupOffsets(group)).map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
    const forward: OffsetToCommit[] = [];
    for (const checkpoint of checkpoints.forwardCheckpoints(group)) {
      const committed = current.get(`${checkpoint.topic}\u0000${checkpoint.partition}`);
      if (committed === undefined || committed < checkpoint.downstream) {
        forward.push({ topic: checkpoint.topic, partition: checkpoint.partition, offset: checkpoint.downstream, metadata: checkpoint.metadata });
      }
    }
    if (forward.length === 0) return;
    await targetAdmin.alterConsumerGroupOffsets(group, forward);
    metrics.groupOffsetsSynced(forward.length);
  }
}
