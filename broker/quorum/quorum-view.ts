// What the broker side needs to know about the metadata quorum, whether this node is a voter
// (RaftQuorum) or follows the voters from outside (MetadataObserver).
import type { QuorumVoter } from '../config/broker-config.js';

export interface QuorumView {
  readonly nodeId: number;
  readonly voters: readonly QuorumVoter[];
  /** The Raft leader (the active controller) as this node last learned it. */
  leaderId(): number | undefined;
  voterAddress(id: number): string | undefined;
  /** The current Raft term as known here (0 when unknown). */
  term(): number;
}

export function voterAddressOf(voters: readonly QuorumVoter[], id: number): string | undefined {
  const v = voters.find((x) => x.id === id);
  return v === undefined ? undefined : `${v.host.includes(':') ? `[${v.host}]` : v.host}:${v.port}`;
}
