/**
 * Function URL configs in the persistence boundary: one record per URL, found by its URL id. The
 * function URL trigger reads them from the service's memory, never from here, per request.
 */
import type { FunctionUrlRecord } from "../services/lambda/function-urls.js";

export interface FunctionUrlStore {
  listUrls(): Promise<FunctionUrlRecord[]>;
  /** Insert or replace the URL `record.urlId`. */
  putUrl(record: FunctionUrlRecord): Promise<void>;
  deleteUrl(urlId: string): Promise<void>;
  /** Every URL of a function (it was deleted). */
  deleteUrlsOf(functionName: string): Promise<void>;
}
