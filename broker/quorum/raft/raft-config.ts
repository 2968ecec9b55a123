// Checks a RaftConfig once, at construction, so the core can trust it afterwards.
import type { RaftConfig } from './raft-types.js';
import { RaftConfigError } from './raft-types.js';

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RaftConfigError(`${name} must be a positive integer, got ${value}`);
  }
}

export function checkRaftConfig(config: RaftConfig): void {
  const { nodeId, voters } = config;
  for (const id of voters) {
    if (!Number.isSafeInteger(id) || id < 0) {
      throw new RaftConfigError(`voter id ${id} is not a non-negative integer`);
    }
  }
  if (new Set(voters).size !== voters.length) {
    throw new RaftConfigError(`voters contain a duplicate: ${voters.join(',')}`);
  }
  if (!voters.includes(nodeId)) {
    throw new RaftConfigError(`node ${nodeId} is not one of the voters ${voters.join(',')}`);
  }
  positiveInteger('electionTimeoutMinMs', config.electionTimeoutMinMs);
  positiveInteger('electionTimeoutMaxMs', config.electionTimeoutMaxMs);
  positiveInteger('heartbeatIntervalMs', config.heartbeatIntervalMs);
  positiveInteger('maxEntriesPerAppend', config.maxEntriesPerAppend);
  positiveInteger('maxBytesPerAppend', config.maxBytesPerAppend);
  if (config.electionTimeoutMaxMs <= config.electionTimeoutMinMs) {
    throw new RaftConfigError('electionTimeoutMaxMs must exceed electionTimeoutMinMs');
  }
  // Followers must hear a heartbeat well inside their election timeout, or they campaign needlessly.
  if (config.heartbeatIntervalMs * 2 > config.electionTimeoutMinMs) {
    throw new RaftConfigError('heartbeatIntervalMs must be at most half of electionTimeoutMinMs');
  }
}
