import type { MetadataRecord } from '../metadata/index.js';

/** What a controller decision yields: the records to append to the metadata log (in this order, as
 * one batch), and the answer to give once they have committed. Nothing is applied by the decision. */
export interface ControllerResult<Response> {
  readonly records: MetadataRecord[];
  readonly response: Response;
  /** Set when the response is the stored answer of an earlier request with the same id (a retry of
   * a forwarded write; controller-retries.ts): the image offset of the original's RequestResult. */
  readonly repeats?: { readonly requestId: string; readonly offset: number };
}
