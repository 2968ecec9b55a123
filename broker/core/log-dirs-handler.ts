// DescribeLogDirs (Kafka's, as kafka-log-dirs.sh uses it): this broker's own replicas, per data dir,
// with their size on disk, log end offset and lag. Each broker answers for itself; a client that
// wants the whole cluster asks every broker. The lag is a follower's distance behind its leader at
// its last fetch (what a reassignment's new replica still has to copy), 0 on the leader, -1 for a
// replica that has not fetched yet or that nobody leads. Offline logs are left out (they cannot be
// read until the broker restarts; the metadata lists them as offline replicas).
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

/** Total and usable bytes of the file system holding dir; -1 each when it cannot be read. */
function diskSpace(dir: string): { totalBytes: number; usableBytes: number } {
  try {
    const s = fs.statfsSync(dir);
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: -1, usableBytes: -1 };
  }
}

export function handleDescribeLogDirs(ctx: BrokerContext, req: wire.DescribeLogDirsRequest__Output): wire.DescribeLogDirsResponse {
  try {
    if (!Array.isArray(req.topics) || req.topics.some((t) => typeof t !== 'string')) {
      throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list of names');
    }
    const wanted = req.topics.length === 0 ? undefined : new Set(req.topics);
    // Data dir -> topic -> partitions, the dirs in config order (each listed, even when empty).
    const dirs = new Map<string, Map<string, wire.DescribeLogDirsPartition[]>>(ctx.config.logDirs.map((d) => [path.resolve(d), new Map()]));
    for (const t of ctx.topics.list()) {
      if (wanted && !wanted.has(t.name)) continue;
      for (let partition = 0; partition < t.partitions; partition++) {
        const log = ctx.topics.log(t.name, partition);
        if (!log) continue;
        const dir = path.resolve(path.dirname(log.dir));
        let topics = dirs.get(dir);
        if (!topics) dirs.set(dir, (topics = new Map()));
        let partitions = topics.get(t.name);
        if (!partitions) topics.set(t.name, (partitions = []));
        partitions.push({
          partitionIndex: partition, partitionSize: log.sizeInBytes, offsetLag: ctx.replicas.replicaLag(t.name, partition),
          isFutureKey: false, logEndOffset: log.logEndOffset,
        });
      }
    }
    const results = [...dirs.entries()].map(([logDir, topics]): wire.DescribeLogDirsResult => ({
      errorCode: ErrorCode.NONE, logDir, ...diskSpace(logDir),
      topics: [...topics.entries()].map(([name, partitions]) => ({ name, partitions })),
    }));
    return { errorCode: ErrorCode.NONE, errorMessage: '', brokerId: ctx.nodeId, results };
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err }, 'describe log dirs failed');
    return { ...errorFields(err), brokerId: ctx.nodeId, results: [] };
  }
}
