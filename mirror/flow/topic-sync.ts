// The topics of one flow A->B (MM2's MirrorSourceConnector): every refresh.topics.interval.seconds,
// the source topics the flow's policy accepts (filters, never internal, never a cycle; heartbeats always)
// get their remote topic on the target, created with the source's partition count, replication.factor
// and synced configs, and grown when the source grew; every sync.topic.configs.interval.seconds the
// configs are synced again. Several workers of the flow do the same: a topic another worker created
// first, or partitions it added, count as done. A restart finds the remote topics as they are and only
// does what is missing (never a sync from scratch).
//
// Config sync follows MM2's incremental form: a source value that is not the source's default (and
// not read-only, sensitive or a static broker value) is set on the remote topic when
// config.properties.exclude lets it through; a source default is set too under use.defaults.from =
// source, and deleted from the remote topic (so the target's default applies) under target.
import type { Logger } from 'pino';
import { AdminOperationError, ConfigSource, ErrorCode, type Admin, type ConfigEntryDescription } from '../../client/index.js';
import type { FlowConfig } from '../config/mirror-config.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import type { FlowPolicy } from '../policy/flow-policy.js';

export interface MirroredTopic {
  sourceTopic: string;
  remoteTopic: string;
  partitions: number;
}

export interface TopicSyncDeps {
  flow: FlowConfig;
  policy: FlowPolicy;
  sourceAdmin: Admin;
  targetAdmin: Admin;
  metrics: FlowMetrics;
  logger: Logger;
  /** The mirrored topics after each refresh that changed them (sorted by source topic). */
  onTopics: (topics: readonly MirroredTopic[]) => void;
}

export interface ConfigChange {
  name: string;
  op: 'set' | 'delete';
  value?: string;
}

/** The changes that bring a remote topic's configs to the source topic's (MM2's targetConfig). */
export function configChanges(sourceEntries: readonly ConfigEntryDescription[], policy: Pick<FlowPolicy, 'shouldReplicateConfigProperty' | 'shouldReplicateSourceDefault'>): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const e of sourceEntries) {
    if (!policy.shouldReplicateConfigProperty(e.name) || e.source === ConfigSource.STATIC_BROKER_CONFIG) continue;
    const isDefault = e.source === ConfigSource.DEFAULT_CONFIG;
    if (isDefault && !policy.shouldReplicateSourceDefault()) {
      changes.push({ name: e.name, op: 'delete' });
    } else if (!e.readOnly && !e.isSensitive && e.value !== null) {
      changes.push({ name: e.name, op: 'set', value: e.value });
    }
  }
  return changes;
}

export class TopicSync {
  private topics: MirroredTopic[] = [];
  private timers: NodeJS.Timeout[] = [];
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: TopicSyncDeps) {}

  /** The first refresh (retried by the interval if it fails), then the periodic ones. */
  async start(): Promise<void> {
    const { flow } = this.deps;
    await this.run('refresh-topics', () => this.refresh());
    if (flow.refreshTopicsEnabled) this.every(flow.refreshTopicsIntervalMs, 'refresh-topics', () => this.refresh());
    if (flow.syncTopicConfigs) this.every(flow.syncTopicConfigsIntervalMs, 'sync-topic-configs', () => this.syncConfigs(this.topics));
    // Without refresh.topics.enabled a failed first look is still retried until it succeeds once.
    if (!flow.refreshTopicsEnabled && this.topics.length === 0) {
      const retry = setInterval(() => {
        if (this.topics.length > 0) clearInterval(retry);
        else void this.run('refresh-topics', () => this.refresh());
      }, Math.min(flow.refreshTopicsIntervalMs, 10_000));
      this.timers.push(retry);
    }
  }

  current(): readonly MirroredTopic[] {
    return this.topics;
  }

  private every(ms: number, operation: string, work: () => Promise<void>): void {
    this.timers.push(setInterval(() => void this.run(operation, work), ms));
  }

  /** Runs one piece of work after the previous one (refreshes never overlap); failures are logged. */
  private run(operation: string, work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await work();
      } catch (err) {
        this.deps.metrics.error(operation);
        this.deps.logger.warn({ err, operation }, 'topic sync failed; retried at the next interval');
      }
    });
    return this.chain;
  }

  /** Finds the source topics, creates or grows their remote topics, and reports the mirrored set. */
  async refresh(): Promise<void> {
    const { policy, sourceAdmin, targetAdmin, flow, logger } = this.deps;
    const names = (await sourceAdmin.listTopics()).filter((t) => policy.shouldReplicateTopic(t));
    const described = names.length === 0 ? [] : await sourceAdmin.describeTopics(names);
    const wanted: MirroredTopic[] = described.map((d) => ({ sourceTopic: d.name, remoteTopic: policy.remoteTopic(d.name), partitions: d.partitions.length }));
    const existing = new Set(await targetAdmin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.remoteTopic));
    if (missing.length > 0) {
      const configs = flow.syncTopicConfigs ? await this.sourceConfigs(missing.map((t) => t.sourceTopic)) : new Map<string, ConfigChange[]>();
      await tolerate(targetAdmin.createTopics(missing.map((t) => ({
        name: t.remoteTopic, numPartitions: t.partitions, replicationFactor: flow.replicationFactor,
        configs: Object.fromEntries((configs.get(t.sourceTopic) ?? []).filter((c) => c.op === 'set').map((c) => [c.name, c.value!])),
      }))), ErrorCode.TOPIC_ALREADY_EXISTS);
      for (const t of missing) logger.info({ topic: t.sourceTopic, remoteTopic: t.remoteTopic, partitions: t.partitions }, 'created remote topic');
    }
    const present = wanted.filter((t) => existing.has(t.remoteTopic));
    if (present.length > 0) {
      const remote = await targetAdmin.describeTopics(present.map((t) => t.remoteTopic));
      const grow = present.filter((t, i) => remote[i]!.partitions.length < t.partitions);
      if (grow.length > 0) {
        await tolerate(targetAdmin.createPartitions(grow.map((t) => ({ name: t.remoteTopic, count: t.partitions }))), ErrorCode.INVALID_PARTITIONS);
        for (const t of grow) logger.info({ topic: t.sourceTopic, remoteTopic: t.remoteTopic, partitions: t.partitions }, 'grew remote topic');
      }
    }
    wanted.sort((a, b) => (a.sourceTopic < b.sourceTopic ? -1 : a.sourceTopic > b.sourceTopic ? 1 : 0));
    const changed = JSON.stringify(wanted) !== JSON.stringify(this.topics);
    this.topics = wanted;
    this.deps.metrics.setTopics(wanted.length);
    if (changed) this.deps.onTopics(wanted);
  }

  private async sourceConfigs(topics: readonly string[]): Promise<Map<string, ConfigChange[]>> {
    const described = await this.deps.sourceAdmin.describeConfigs(topics.map((name) => ({ type: 'topic' as const, name })));
    return new Map(described.map((d) => [d.name, configChanges(d.configs, this.deps.policy)]));
  }

  /** Brings the remote topics' configs to their source topics'. */
  async syncConfigs(topics: readonly MirroredTopic[]): Promise<void> {
    if (topics.length === 0) return;
    const changes = await this.sourceConfigs(topics.map((t) => t.sourceTopic));
    const alterations = topics.flatMap((t) => {
      const c = changes.get(t.sourceTopic) ?? [];
      return c.length === 0 ? [] : [{ type: 'topic' as const, name: t.remoteTopic, changes: c }];
    });
    if (alterations.length > 0) await this.deps.targetAdmin.incrementalAlterConfigs(alterations);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.chain;
  }
}

/** Waits for an admin operation over several items, passing over items that failed only with `code`
 * (another worker did the same first). */
async function tolerate(operation: Promise<unknown>, code: number): Promise<void> {
  try {
    await operation;
  } catch (err) {
    if (err instanceof AdminOperationError && err.failures.every((f) => f.error.code === code)) return;
    throw err;
  }
}
