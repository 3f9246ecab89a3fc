/**
 * What the three batch operations share: AWS's request-level checks (1 to 10 entries, distinct ids of
 * alphanumerics, hyphens and underscores) and per-entry results, where an entry's error becomes a
 * `BatchResultErrorEntry` with the error's query code.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
import { AwsError, awsError } from "../../errors.js";
import type { BatchEntry, BatchResult } from "./inputs.js";

export const MAX_BATCH_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function checkBatch(entries: { Id: string }[], entryName: string): void {
  if (entries.length === 0) throw awsError("EmptyBatchRequest", `There should be at least one ${entryName} in the request.`);
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw awsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
  }
  const seen = new Set<string>();
  for (const { Id } of entries) {
    if (!ENTRY_ID.test(Id)) {
      throw awsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
    }
    if (seen.has(Id)) throw awsError("BatchEntryIdsNotDistinct", `Id ${Id} repeated.`);
    seen.add(Id);
  }
}

/** Sort per-entry outcomes (a result or the AwsError it failed with) into Successful and Failed. */
export function batchResult<T>(entries: { Id: string }[], outcomes: (T | AwsError)[]): BatchResult<T> {
  const out: BatchResult<T> = { Successful: [], Failed: [] };
  outcomes.forEach((o, i) => {
    const Id = entries[i]!.Id;
    if (o instanceof AwsError) out.Failed.push({ Id, SenderFault: o.fault === "client", Code: o.queryCode, Message: o.message });
    else out.Successful.push({ ...o, Id } as BatchEntry<T>);
  });
  return out;
}

/** Run `fn` for each entry, turning a thrown AwsError into that entry's failure (anything else is a bug and fails the request). */
export async function eachEntry<E, T>(entries: E[], fn: (entry: E) => Promise<T>): Promise<(T | AwsError)[]> {
  const out: (T | AwsError)[] = [];
  for (const e of entries) {
    try {
      out.push(await fn(e));
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      out.push(err);
    }
  }
  return out;
}
