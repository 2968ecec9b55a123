import type { MetadataRecord } from '../metadata/index.js';

/** What a controller decision yields: the records to append to the metadata log (in this order, as
 * one batch), and the answer to give once they have committed. Nothing is applied by the decision. */
export interface ControllerResult<Response> {
  readonly records: MetadataRecord[];
  readonly response: Response;
}
