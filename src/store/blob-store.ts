/**
 * Code packages kept where every node reaches them: on a shared store a node that never saw a
 * package's upload fetches it from here. Ids are content addresses (a package's SHA-256), so `put`
 * of an id already stored keeps the stored bytes. The embedded store has no blob part: its one node
 * keeps packages in the data dir.
 */
export interface BlobStore {
  /** Store `bytes` under `id`, unless `id` is stored already. */
  put(id: string, bytes: Buffer): Promise<void>;
  get(id: string): Promise<Buffer | undefined>;
  has(id: string): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** Every stored id, in byte order. */
  list(): Promise<string[]>;
}
