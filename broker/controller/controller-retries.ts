// A forwarded admin write is retried by the node that forwarded it when the answer is lost (the
// leader changed after the decision committed: NOT_CONTROLLER; or the connection broke). The retry
// carries the request id the forwarding node made, and must be answered as the committed original
// was, not decided again (a second CreateTopics would answer TOPIC_ALREADY_EXISTS for the topic the
// first one created). A decision that writes records therefore also writes a RequestResult record
// with the id and its per-item results, in the same batch; the image keeps recent ones, and a
// request whose id is there gets the stored results.
import { ErrorCode, StraitError } from '../../client/index.js';
import { metadataRecord } from '../metadata/index.js';
import type { Decision } from './active-controller.js';
import type { ControllerOperation } from './controller-operations.js';

/** The forwarded writes whose answers are kept by request id: each answers with per-item results. */
export const ANSWERED_ONCE: ReadonlySet<ControllerOperation> = new Set<ControllerOperation>([
  'createTopics', 'deleteTopics', 'createPartitions', 'incrementalAlterConfigs', 'electLeaders', 'alterPartitionReassignments',
]);

/**
 * The decision for a request with this id: the stored results when the image has them (no records;
 * `repeats` names the original), else the decision itself with a RequestResult record appended when
 * it writes anything (a decision that writes nothing changed nothing, and deciding it again is safe).
 */
export function answerOnce(operation: ControllerOperation, requestId: string, decision: Decision<unknown>): Decision<unknown> {
  if (!ANSWERED_ONCE.has(operation)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${operation} takes no request id.`);
  return (image, sessions, now) => {
    const earlier = image.requestResult(requestId);
    if (earlier !== undefined) {
      if (earlier.operation !== operation) {
        throw new StraitError(ErrorCode.INVALID_REQUEST, `Request id ${requestId} belongs to a ${earlier.operation}, not a ${operation}.`);
      }
      return { records: [], response: earlier.results, repeats: { requestId, offset: earlier.offset } };
    }
    const result = decision(image, sessions, now);
    if (result.records.length === 0) return result;
    if (!Array.isArray(result.response)) throw new Error(`${operation} answered something other than per-item results`);
    // A JSON copy: what the image stores is what a follower decodes from the log.
    const results = JSON.parse(JSON.stringify(result.response)) as Record<string, unknown>[];
    return {
      records: [...result.records, metadataRecord('RequestResult', { requestId, operation, timestamp: now, results })],
      response: result.response,
    };
  };
}
