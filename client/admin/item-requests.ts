// Sends a multi-item admin request, retrying only the items that failed with retriable errors
// (NOT_CONTROLLER, a lost connection) and throwing one AdminOperationError for the rest.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { AdminOperationError, type ItemFailure } from './admin-errors.js';

export interface ItemOutcome<R> {
  item: string;
  errorCode: number;
  errorMessage: string;
  result?: R;
}

/** The controller when metadata names one, else any broker (which forwards or answers NOT_CONTROLLER). */
export function controllerAddress(cluster: Cluster): string {
  const controller = cluster.metadata.broker(cluster.metadata.controllerId);
  return controller?.address ?? cluster.anyAddress();
}

export async function runItemRequest<T, R>(
  cluster: Cluster,
  operation: string,
  items: readonly T[],
  nameOf: (item: T) => string,
  send: (items: T[], address: string) => Promise<ItemOutcome<R>[]>,
  /** Where to send the items; default: the controller (controllerAddress). */
  addressOf: () => string = () => controllerAddress(cluster),
): Promise<Map<string, R>> {
  const results = new Map<string, R>();
  const failures: ItemFailure[] = [];
  let open = [...items];
  const lastErrors = new Map<string, StraitError>();
  try {
    await cluster.retry(async () => {
      if (cluster.metadata.brokers().length === 0) await cluster.refreshMetadata().catch(() => undefined);
      const outcomes = await send(open, addressOf());
      const byName = new Map(outcomes.map((o) => [o.item, o]));
      const retry: T[] = [];
      for (const item of open) {
        const name = nameOf(item);
        const o = byName.get(name);
        const err = o ? errorFromCode(o.errorCode, o.errorMessage) : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${name}`);
        if (!err) {
          results.set(name, o!.result as R);
        } else if (err.retriable) {
          lastErrors.set(name, err);
          retry.push(item);
        } else {
          failures.push({ item: name, error: err });
        }
      }
      open = retry;
      if (open.length > 0) throw lastErrors.get(nameOf(open[0]!))!;
    });
  } catch (err) {
    const error = err instanceof StraitError ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err));
    for (const item of open) failures.push({ item: nameOf(item), error: lastErrors.get(nameOf(item)) ?? error });
  }
  if (failures.length > 0) throw new AdminOperationError(operation, failures);
  return results;
}
