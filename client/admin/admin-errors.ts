// Admin operations act on several items (topics, config resources) at once; each may fail on its own.
// The failures are gathered and thrown once, as one error that lists each failed item (platformatic's
// model), after the items that can succeed have succeeded.
import { StraitError } from '../errors.js';

export interface ItemFailure {
  /** The topic or resource name. */
  item: string;
  error: StraitError;
}

export class AdminOperationError extends StraitError {
  readonly operation: string;
  readonly failures: ItemFailure[];

  constructor(operation: string, failures: ItemFailure[]) {
    const first = failures[0]!;
    const list = failures.map((f) => `${f.item}: ${f.error.name} (${f.error.message})`).join('; ');
    super(first.error.code, `${operation} failed for ${failures.length} item(s): ${list}`, { cause: first.error });
    this.operation = operation;
    this.failures = failures;
    this.name = 'AdminOperationError';
  }
}
