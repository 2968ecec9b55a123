// The image's table of recent forwarded-write answers (RequestResult records), by request id. A retry
// of a forwarded write comes within its request's timeout, so the table only needs to reach back a
// little way: it keeps at most MAX entries and MAX items, and forgets entries older than MAX_AGE_MS
// before the newest one. The bounds depend only on the records (the deciding controller's clock is
// in each), so every node that applies the same log, or loads a snapshot of it, has the same table.
import type { RequestResultImage } from './image-types.js';

export const REQUEST_RESULTS_MAX_ENTRIES = 1000;
/** Per-item results over all entries (a CreateTopics of many topics stores one item per topic). */
export const REQUEST_RESULTS_MAX_ITEMS = 100_000;
export const REQUEST_RESULTS_MAX_AGE_MS = 10 * 60_000;

/** The table with `entry` added as the newest (replacing an entry of the same id), then bounded. */
export function rememberRequestResult(
  table: ReadonlyMap<string, RequestResultImage>, entry: RequestResultImage,
): Map<string, RequestResultImage> {
  const horizon = entry.timestamp - REQUEST_RESULTS_MAX_AGE_MS;
  const next = new Map<string, RequestResultImage>();
  for (const [id, old] of table) if (id !== entry.requestId && old.timestamp >= horizon) next.set(id, old);
  next.set(entry.requestId, Object.freeze(entry));
  let items = 0;
  for (const e of next.values()) items += e.results.length;
  // Oldest first; the newest entry always stays, however large.
  for (const [id, old] of next) {
    if (next.size <= REQUEST_RESULTS_MAX_ENTRIES && items <= REQUEST_RESULTS_MAX_ITEMS) break;
    if (id === entry.requestId) break;
    next.delete(id);
    items -= old.results.length;
  }
  return next;
}
