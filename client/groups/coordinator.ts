// Finding a group's coordinator (FindCoordinator, answered by any broker from its metadata) and
// calling it: a call that hears the coordinator moved (NOT_COORDINATOR), has none yet
// (COORDINATOR_NOT_AVAILABLE) or lost its connection looks the coordinator up again and retries;
// COORDINATOR_LOAD_IN_PROGRESS retries the same one. As in Kafka's clients, these retries are bounded
// by a deadline (default.api.timeout.ms), not by a count: a coordinator failover takes as long as the
// election of a new leader for the group's __consumer_offsets partition.
import { ErrorCode, StraitError, defaultMessage } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { unaryCall } from '../cluster/connection-pool.js';
import { formatAddress } from '../cluster/bootstrap.js';
import { withRetry, type RetryPolicy } from '../cluster/retry.js';
import type { GroupsClient } from '../wire/generated/strait/v1/Groups.js';
import type { FindCoordinatorResponse__Output } from '../wire/generated/strait/v1/FindCoordinatorResponse.js';

export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
  /** host:port */
  address: string;
}

/** Errors after which the group's coordinator must be looked up again. */
const COORDINATOR_MOVED = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.REQUEST_TIMED_OUT,
]);

export function coordinatorMoved(code: number): boolean {
  return COORDINATOR_MOVED.has(code);
}

/** Throws the response's error, if it carries one. */
export function throwIfError(errorCode: number, errorMessage: string, what: string): void {
  if (errorCode === ErrorCode.NONE) return;
  throw new StraitError(errorCode, `${what}: ${errorMessage || defaultMessage(errorCode)}`);
}

export class GroupCoordinators {
  private readonly cluster: Cluster;
  /** The client's backoff, with retries bounded by each call's deadline instead of a count. */
  readonly retryPolicy: RetryPolicy;
  private readonly known = new Map<string, CoordinatorNode>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    // Retries end at the caller's deadline, not after a count.
    this.retryPolicy = { ...cluster.config.retry, retries: Number.MAX_SAFE_INTEGER };
  }

  /** The group's coordinator, from the cache or asked of any broker (retrying until the deadline). */
  async find(group: string, deadline: number): Promise<CoordinatorNode> {
    const cached = this.known.get(group);
    if (cached) return cached;
    return withRetry(async (bail) => {
      const address = this.cluster.anyAddress();
      const client = this.cluster.pool.groups(address);
      const res = await unaryCall<FindCoordinatorResponse__Output>(
        (o, cb) => client.FindCoordinator({ groupId: group }, o, cb),
        this.cluster.config.requestTimeoutMs,
        address,
      ).catch((err: StraitError) => {
        // A broker without the Groups service cannot become one by asking again.
        if (err.code === ErrorCode.UNSUPPORTED_VERSION) bail(new StraitError(ErrorCode.UNSUPPORTED_VERSION, `the broker at ${address} does not serve consumer groups (${err.message})`));
        throw err;
      });
      throwIfError(res.errorCode, res.errorMessage, `coordinator of group '${group}'`);
      if (res.nodeId < 0) throw new StraitError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `group '${group}' has no coordinator yet`);
      const node = { nodeId: res.nodeId, host: res.host, port: res.port, address: formatAddress({ host: res.host, port: res.port }) };
      this.known.set(group, node);
      return node;
    }, this.retryPolicy, { deadline });
  }

  /** Forgets the group's coordinator (if it is still the one at `address`). */
  invalidate(group: string, address?: string): void {
    const cached = this.known.get(group);
    if (cached && (address === undefined || cached.address === address)) this.known.delete(group);
  }

  /**
   * Runs fn against the group's coordinator until it succeeds, fails with an error no retry can
   * fix, or the deadline passes. fn throws a StraitError for an error in the answer.
   */
  call<T>(group: string, deadline: number, fn: (client: GroupsClient, node: CoordinatorNode) => Promise<T>): Promise<T> {
    return withRetry(async () => {
      const node = await this.find(group, deadline);
      try {
        return await fn(this.cluster.pool.groups(node.address), node);
      } catch (err) {
        if (err instanceof StraitError && coordinatorMoved(err.code)) this.invalidate(group, node.address);
        throw err;
      }
    }, this.retryPolicy, { deadline });
  }
}
