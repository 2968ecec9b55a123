// `strait mirror failover|failback --group G --from A --to B`: commits on B the offsets at which group G
// resumes there without missing a record of what it had not yet processed on A (DESIGN §9). Per
// partition G committed on A:
// - a topic the flow A->B mirrors (t on A is A.t on B): translated forward with A->B's offset syncs when
//   A answers (G's offsets read live), else taken from B's A.checkpoints.internal (A is down: the
//   newest checkpoint is the best knowledge there is; it also holds G's offsets of B.x on A translated
//   back to x when B->A is enabled); with A up, a checkpoint at or below the live offset that resumes
//   later than the live translation is used instead (it is as safe and re-reads less);
// - a topic that came from B (B.x on A, mirrored by B->A): translated back with B->A's offset syncs to x
//   on B (MM2 has no such translation: a group that moved to A and consumed B.x there failed back to B
//   at whatever B's stale offsets said).
// Failback is the same operation the other way round. G must have no member on B (its offsets there
// would be its own); the offsets are committed exactly (a failover may move G back on B: its position
// on A is what counts). Bad input and refusals are named errors and commit nothing.
import type { Logger } from 'pino';
import { ErrorCode, StraitError, type CommittedOffset } from '../client/index.js';
import { ClusterClients } from './cluster-clients.js';
import type { FlowConfig, MirrorConfig } from './config/mirror-config.js';
import { decodeCheckpoint, type Checkpoint } from './offsets/internal-records.js';
import { activeMembers, isGroupBusy } from './offsets/group-offset-sync.js';
import { OffsetSyncLog } from './offsets/offset-sync-log.js';
import { TopicReader } from './offsets/topic-reader.js';
import { FlowPolicy } from './policy/flow-policy.js';

export interface FailoverRequest {
  group: string;
  from: string;
  to: string;
  /** Compute and report, commit nothing. */
  dryRun?: boolean;
  /** Deadline of each cluster call; a cluster that does not answer within it counts as down (10000). */
  timeoutMs?: number;
}

export type TranslationSource = 'offset syncs' | 'checkpoint' | 'offset syncs, reverse';

export interface TranslatedOffset {
  fromTopic: string;
  partition: number;
  /** G's offset on `from` (the checkpoint's upstream offset when `from` is down). */
  committed: number;
  toTopic: string;
  offset: number;
  via: TranslationSource;
}

export interface UntranslatedOffset {
  fromTopic: string;
  partition: number;
  committed: number;
  reason: string;
}

export interface FailoverResult {
  group: string;
  from: string;
  to: string;
  /** Whether G's offsets could be read on `from`; when not, why. */
  fromReachable: boolean;
  fromError: string | undefined;
  translated: TranslatedOffset[];
  untranslated: UntranslatedOffset[];
  committed: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export async function failover(config: MirrorConfig, request: FailoverRequest, logger: Logger): Promise<FailoverResult> {
  const { group, from, to } = request;
  for (const alias of [from, to]) {
    if (!config.clusters.includes(alias)) throw new StraitError(ErrorCode.INVALID_REQUEST, `cluster ${alias} is not in ${config.file} (clusters: ${config.clusters.join(', ')})`);
  }
  if (from === to) throw new StraitError(ErrorCode.INVALID_REQUEST, `--from and --to name the same cluster ${from}`);
  if (group === '') throw new StraitError(ErrorCode.INVALID_GROUP_ID, 'the group id is empty');
  const forward = config.flows.find((f) => f.source === from && f.target === to);
  const reverse = config.flows.find((f) => f.source === to && f.target === from);
  if (!forward && !reverse) throw new StraitError(ErrorCode.INVALID_REQUEST, `${config.file} enables neither ${from}->${to} nor ${to}->${from}: nothing translates ${from}'s offsets to ${to}`);

  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clients = new ClusterClients(config, timeoutMs);
  try {
    const members = await activeMembers(clients.admin(to), group);
    if (members > 0) throw new StraitError(ErrorCode.NON_EMPTY_GROUP, `group ${group} has ${members} active member(s) on ${to}: stop them first (a group's offsets on ${to} are its members' while it has any)`);

    let committed: CommittedOffset[] = [];
    let fromError: string | undefined;
    try {
      committed = (await clients.admin(from).listConsumerGroupOffsets(group)).filter((c) => c.offset >= 0);
    } catch (err) {
      fromError = err instanceof Error ? err.message : String(err);
      logger.warn({ err, cluster: from }, `group ${group}'s offsets not readable on ${from}: translating from ${to}'s checkpoints`);
    }
    const result: FailoverResult = { group, from, to, fromReachable: fromError === undefined, fromError, translated: [], untranslated: [], committed: false };

    const checkpoints = forward ? await newestCheckpoints(clients, forward, group, timeoutMs, logger) : new Map<string, Checkpoint>();
    if (result.fromReachable) {
      const logs = new SyncLogs(clients, timeoutMs, logger);
      try {
        for (const c of committed) {
          const outcome = await translateOne(c, forward, reverse, checkpoints, logs);
          if ('reason' in outcome) result.untranslated.push(outcome);
          else result.translated.push(outcome);
        }
      } finally {
        await logs.close();
      }
    } else if (forward) {
      const policy = new FlowPolicy(forward);
      for (const cp of checkpoints.values()) {
        // A.t came from t on A; a checkpoint of one of B's own topics x was of A's copy B.x.
        const replication = policy.replication;
        const fromTopic = replication.topicSource(cp.topic) === from ? replication.upstreamTopic(cp.topic)! : replication.formatRemoteTopic(to, cp.topic);
        result.translated.push({ fromTopic, partition: cp.partition, committed: cp.upstream, toTopic: cp.topic, offset: cp.downstream, via: 'checkpoint' });
      }
    }
    result.translated.sort((x, y) => (x.toTopic < y.toTopic ? -1 : x.toTopic > y.toTopic ? 1 : x.partition - y.partition));

    if (result.translated.length === 0) {
      const why = result.fromReachable
        ? `none of group ${group}'s ${committed.length} committed offset(s) on ${from} translates to ${to}`
        : `${from} does not answer (${fromError}) and ${to} holds no checkpoint of group ${group}`;
      throw new StraitError(ErrorCode.GROUP_ID_NOT_FOUND, `nothing to commit: ${why}`);
    }
    if (!request.dryRun) {
      try {
        await clients.admin(to).alterConsumerGroupOffsets(group, result.translated.map((t) => ({ topic: t.toTopic, partition: t.partition, offset: t.offset })));
      } catch (err) {
        if (isGroupBusy(err)) throw new StraitError(ErrorCode.NON_EMPTY_GROUP, `group ${group} got a member on ${to} meanwhile: nothing committed`);
        throw err;
      }
      result.committed = true;
    }
    return result;
  } finally {
    await clients.close();
  }
}

async function translateOne(
  c: CommittedOffset, forward: FlowConfig | undefined, reverse: FlowConfig | undefined, checkpoints: Map<string, Checkpoint>, logs: SyncLogs,
): Promise<TranslatedOffset | UntranslatedOffset> {
  const base = { fromTopic: c.topic, partition: c.partition, committed: c.offset };
  if (forward) {
    const policy = new FlowPolicy(forward);
    if (policy.shouldReplicateTopic(c.topic)) {
      const toTopic = policy.remoteTopic(c.topic);
      const live = (await logs.of(forward)).store.translateDownstream(c.topic, c.partition, c.offset);
      const cp = checkpoints.get(`${toTopic}\u0000${c.partition}`);
      const usable = cp && cp.upstream <= c.offset ? cp.downstream : undefined;
      if (live !== undefined && (usable === undefined || live >= usable)) return { ...base, toTopic, offset: live, via: 'offset syncs' };
      if (usable !== undefined) return { ...base, toTopic, offset: usable, via: 'checkpoint' };
      return { ...base, reason: `no offset sync at or below ${c.offset} (nothing of it mirrored yet)` };
    }
  }
  if (reverse) {
    const policy = new FlowPolicy(reverse);
    const upstream = policy.replication.topicSource(c.topic) === reverse.source ? policy.replication.upstreamTopic(c.topic) : undefined;
    if (upstream !== undefined && policy.shouldReplicateTopic(upstream)) {
      const offset = (await logs.of(reverse)).store.translateUpstream(upstream, c.partition, c.offset);
      if (offset !== undefined) return { ...base, toTopic: upstream, offset, via: 'offset syncs, reverse' };
      return { ...base, reason: `no offset sync of ${upstream} at or below remote offset ${c.offset}` };
    }
  }
  return { ...base, reason: 'not a topic either flow between the two clusters mirrors' };
}

/** The newest checkpoint of the group per remote topic and partition in `<source>.checkpoints.internal` on the target. */
async function newestCheckpoints(clients: ClusterClients, flow: FlowConfig, group: string, timeoutMs: number, logger: Logger): Promise<Map<string, Checkpoint>> {
  const policy = new FlowPolicy(flow);
  const admin = clients.admin(flow.target);
  const newest = new Map<string, Checkpoint>();
  if (!(await admin.listTopics({ includeInternal: true })).includes(policy.checkpointsTopic())) return newest;
  const reader = new TopicReader({
    topic: policy.checkpointsTopic(),
    admin,
    consumer: clients.consumerOptions(flow.target),
    logger,
    onRecord: (r) => {
      const cp = decodeCheckpoint(r.key, r.value);
      if (cp.group === group) newest.set(`${cp.topic}\u0000${cp.partition}`, cp);
    },
  });
  try {
    await reader.readToEnd(timeoutMs);
  } finally {
    await reader.close();
  }
  return newest;
}

/** The offset-sync logs of the flows used, each read whole once. */
class SyncLogs {
  private readonly logs = new Map<string, OffsetSyncLog>();

  constructor(private readonly clients: ClusterClients, private readonly timeoutMs: number, private readonly logger: Logger) {}

  async of(flow: FlowConfig): Promise<OffsetSyncLog> {
    const key = `${flow.source}->${flow.target}`;
    let log = this.logs.get(key);
    if (!log) {
      const policy = new FlowPolicy(flow);
      const cluster = policy.offsetSyncsCluster();
      log = new OffsetSyncLog({ flow, policy, admin: this.clients.admin(cluster), consumer: this.clients.consumerOptions(cluster), logger: this.logger, createTopic: false });
      this.logs.set(key, log);
      await log.catchUp(this.timeoutMs);
    }
    return log;
  }

  async close(): Promise<void> {
    await Promise.all([...this.logs.values()].map((l) => l.close()));
  }
}
