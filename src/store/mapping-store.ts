/**
 * Event source mappings in the persistence boundary: each mapping is one record, and each of its
 * positions (a stream shard's checkpoint, with a tumbling window's state) one row beside it. A
 * checkpoint write is durable when its promise resolves: after a crash a poller resumes from the
 * last batch that succeeded, repeating at most the batch that was in flight.
 */
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";

export interface Checkpoint {
  /** The last sequence number processed (everything up to it is done); undefined: nothing yet. */
  sequence?: string;
  /** What a poller keeps beside it (a tumbling window's start and state), as JSON. */
  extra?: string;
}

export interface MappingStore {
  listMappings(): Promise<MappingRecord[]>;
  /** Insert or replace the mapping `record.uuid`. */
  putMapping(record: MappingRecord): Promise<void>;
  /** The mapping and all its checkpoints. */
  deleteMapping(uuid: string): Promise<void>;
  checkpoints(uuid: string): Promise<Map<string, Checkpoint>>;
  putCheckpoint(uuid: string, position: string, checkpoint: Checkpoint): Promise<void>;
}
