/**
 * Blobs on PostgreSQL: each blob is split into rows of CHUNK_BYTES, so neither side holds a
 * 70 MB parameter or result at once and no value nears bytea's 1 GB limit.
 */
import type { PgDb } from "./pg-db.js";
import type { BlobStore } from "./blob-store.js";

const CHUNK_BYTES = 4 * 1024 * 1024;

export const BLOB_TABLES = `
  CREATE TABLE blobs (
    id text PRIMARY KEY,
    size bigint NOT NULL,
    chunks integer NOT NULL
  );
  CREATE TABLE blob_chunks (
    id text NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
    n integer NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (id, n)
  );`;

export class PgBlobStore implements BlobStore {
  constructor(private readonly db: PgDb) {}

  async put(id: string, bytes: Buffer): Promise<void> {
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
    // A racing put of the same id waits on the primary key and then inserts nothing: one copy, whole.
    await this.db.tx(async (sql) => {
      if ((await sql.run("INSERT INTO blobs (id, size, chunks) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", [id, bytes.length, chunks])) === 0) return;
      for (let n = 0; n < chunks; n++) {
        await sql.run("INSERT INTO blob_chunks (id, n, bytes) VALUES ($1, $2, $3)", [id, n, bytes.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES)]);
      }
    });
  }

  async get(id: string): Promise<Buffer | undefined> {
    const [head] = await this.db.query<{ size: number; chunks: number }>("SELECT size, chunks FROM blobs WHERE id = $1", [id]);
    if (!head) return undefined;
    const out = Buffer.allocUnsafe(head.size);
    let at = 0;
    for (let n = 0; n < head.chunks; n++) {
      const [row] = await this.db.query<{ bytes: Buffer }>("SELECT bytes FROM blob_chunks WHERE id = $1 AND n = $2", [id, n]);
      // Deleted while it was being read.
      if (!row) return undefined;
      at += row.bytes.copy(out, at);
    }
    return at === head.size ? out : undefined;
  }

  async has(id: string): Promise<boolean> {
    return (await this.db.query("SELECT 1 FROM blobs WHERE id = $1", [id])).length > 0;
  }

  async delete(id: string): Promise<void> {
    await this.db.run("DELETE FROM blobs WHERE id = $1", [id]);
  }

  async list(): Promise<string[]> {
    return (await this.db.query<{ id: string }>('SELECT id FROM blobs ORDER BY id COLLATE "C"')).map((r) => r.id);
  }
}
