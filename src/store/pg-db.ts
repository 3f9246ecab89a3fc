/**
 * The PostgreSQL connection every `pg-*.ts` part shares: a pool for statements and transactions, one
 * dedicated client that LISTENs for the other nodes' notifications, and the schema migrations. Only
 * `store/` uses it. int8 and numeric columns read as JavaScript numbers (epoch milliseconds and
 * sequence counters fit in 2^53); bytea reads as a Buffer.
 */
import pg from "pg";

pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** What a statement runs on: the pool, or one transaction's client. */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rows changed by an INSERT, UPDATE or DELETE. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

/** The error a node gets when the database's schema is newer than the code it runs. */
export class SchemaTooNew extends Error {}

/** SQLSTATEs worth one more try of the whole transaction: serialization failure and deadlock. */
const RETRYABLE = new Set(["40001", "40P01"]);

function sqlOf(client: pg.Pool | pg.PoolClient): Sql {
  return {
    query: async <R>(text: string, params?: readonly unknown[]) => (await client.query(text, params as unknown[])).rows as R[],
    run: async (text: string, params?: readonly unknown[]) => (await client.query(text, params as unknown[])).rowCount ?? 0,
  };
}

/** A write waiting to share a commit (`PgDb.grouped`). */
interface Grouped {
  fn: (sql: Sql) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Group commits in flight at once (`PgDb.grouped`); what arrives meanwhile waits for the next. */
const GROUP_WRITERS = 2;

export class PgDb implements Sql {
  private readonly sql: Sql;
  /** Grouped writes by lane: each lane's groups commit apart from the others'. */
  private readonly lanes = new Map<string, { waiting: Grouped[]; writers: number }>();
  private listener?: pg.Client;
  private readonly channels = new Map<string, Set<(payload: string) => void>>();
  /** Told after the listening connection was lost and is back: notifications meanwhile are gone. */
  private readonly relistened = new Set<() => void>();
  private closed = false;

  private constructor(
    readonly url: string,
    private readonly pool: pg.Pool,
  ) {
    this.sql = sqlOf(pool);
    // An idle client that loses its connection must not take the process down; the next query reconnects.
    pool.on("error", (err) => console.error("flint: postgres:", err.message));
  }

  /** Connect, and check the server answers. */
  static async connect(url: string, max = 16): Promise<PgDb> {
    const db = new PgDb(url, new pg.Pool({ connectionString: url, max }));
    await db.query("SELECT 1");
    return db;
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
    return this.sql.query<R>(text, params);
  }

  run(text: string, params?: readonly unknown[]): Promise<number> {
    return this.sql.run(text, params);
  }

  /**
   * Run `fn` in one transaction (READ COMMITTED unless `serializable`): committed when it resolves,
   * rolled back when it throws. A serialization failure or deadlock runs the whole of `fn` again,
   * so `fn` must not have effects outside the transaction.
   */
  async tx<T>(fn: (sql: Sql) => Promise<T>, serializable = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(serializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN");
        const result = await fn(sqlOf(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        if (attempt < 8 && RETRYABLE.has((err as { code?: string }).code ?? "")) continue;
        throw err;
      } finally {
        client.release();
      }
    }
  }

  /**
   * Run `fn`'s statements in a transaction shared with the other grouped writes waiting now: one
   * commit (one WAL flush) for all of them, settled after it. Under load groups grow; a lone write
   * goes at once. When any of a group fails, each of the group runs again in its own transaction,
   * so only the failing one fails. `fn` must have no effects outside the database. Writes of
   * different `lane`s never share a group, so a busy kind of write does not hold up another.
   */
  grouped<T>(lane: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    let l = this.lanes.get(lane);
    if (!l) this.lanes.set(lane, (l = { waiting: [], writers: 0 }));
    const queue = l;
    return new Promise<T>((resolve, reject) => {
      queue.waiting.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.writeGroups(queue);
    });
  }

  private writeGroups(lane: { waiting: Grouped[]; writers: number }): void {
    while (lane.writers < GROUP_WRITERS && lane.waiting.length) {
      const group = lane.waiting.splice(0, 200);
      lane.writers++;
      void this.tx(async (sql) => {
        const results: unknown[] = [];
        for (const g of group) results.push(await g.fn(sql));
        return results;
      })
        .then(
          (results) => group.forEach((g, i) => g.resolve(results[i])),
          async (err) => {
            if (group.length === 1) return group[0]!.reject(err);
            await Promise.all(group.map((g) => this.tx(g.fn).then(g.resolve, g.reject)));
          },
        )
        .finally(() => {
          lane.writers--;
          this.writeGroups(lane);
        });
    }
  }

  /**
   * Upgrade the schema: `migrations[i]` takes it from version i to i + 1, each in its own
   * transaction, one node at a time (an advisory lock). Refuses a schema newer than `migrations`.
   */
  async migrate(migrations: readonly string[]): Promise<void> {
    await this.tx(async (sql) => {
      await sql.query("SELECT pg_advisory_xact_lock(7245001)");
      await sql.query("CREATE TABLE IF NOT EXISTS flint_schema (version integer NOT NULL)");
      const rows = await sql.query<{ version: number }>("SELECT version FROM flint_schema");
      let current = rows[0]?.version ?? 0;
      if (rows.length === 0) await sql.query("INSERT INTO flint_schema (version) VALUES (0)");
      if (current > migrations.length) {
        throw new SchemaTooNew(`the database's schema is version ${current}, newer than this Flint knows (${migrations.length}): upgrade Flint`);
      }
      for (; current < migrations.length; current++) {
        await sql.query(migrations[current]!);
        await sql.query("UPDATE flint_schema SET version = $1", [current + 1]);
      }
    });
  }

  /** Tell every node (this one included) listening on `channel`; `payload` is at most ~7 KB. */
  async notify(channel: string, payload: string): Promise<void> {
    await this.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  /**
   * Hear `channel`'s notifications from every node, this one included. Resolves once listening.
   * `relistened` is called each time listening resumes after a lost connection.
   */
  async listen(channel: string, fn: (payload: string) => void, relistened?: () => void): Promise<() => void> {
    if (relistened) this.relistened.add(relistened);
    let set = this.channels.get(channel);
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
      const client = await this.listenerClient();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (relistened) this.relistened.delete(relistened);
    };
  }

  private async listenerClient(): Promise<pg.Client> {
    if (this.listener) return this.listener;
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (n) => {
      for (const fn of this.channels.get(n.channel) ?? []) fn(n.payload ?? "");
    });
    client.on("error", (err) => {
      if (this.closed) return;
      console.error("flint: postgres listener:", err.message);
      this.listener = undefined;
      void this.relisten();
    });
    await client.connect();
    this.listener = client;
    return client;
  }

  /** After losing the listening connection: listen again on every channel (retrying until it works). */
  private async relisten(): Promise<void> {
    while (!this.closed) {
      try {
        const client = await this.listenerClient();
        for (const channel of this.channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        for (const fn of this.relistened) fn();
        return;
      } catch {
        this.listener = undefined;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Idempotent: a second close finds nothing to do. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener?.end().catch(() => {});
    await this.pool.end();
  }
}
