// Names the outcome of an answered request for strait_broker_requests_total{error}: the first error
// code found in the response (request, topic or partition level), or NONE.
import { errorName } from '../../client/index.js';

interface Scannable {
  errorCode?: unknown;
  topics?: unknown;
  partitions?: unknown;
  results?: unknown;
  responses?: unknown;
}

function firstError(value: unknown, depth: number): number {
  if (value === null || typeof value !== 'object' || depth > 3) return 0;
  const v = value as Scannable;
  if (typeof v.errorCode === 'number' && v.errorCode !== 0) return v.errorCode;
  for (const list of [v.topics, v.partitions, v.results, v.responses]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const code = firstError(item, depth + 1);
      if (code !== 0) return code;
    }
  }
  return 0;
}

export function outcomeOf(response: unknown): string {
  return errorName(firstError(response, 0));
}
