/**
 * Spare sandboxes: pre-created, not yet assigned to any function, with Flint's runtime already
 * started inside and waiting for its binding. A cold start then only binds the package, hands the
 * runtime its environment and runs the function's init.
 *
 * Spares are kept per shape (runtime family, memory, ephemeral storage, network): the shapes in
 * demand most recently, up to `perShape` each, and their memory is accounted. Custom runtimes have
 * no spares: their runtime is the function's own `bootstrap`.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { RuntimeApi } from "../runtime-api/runtime-api.js";
import type { Sandbox, SandboxDriver, SandboxShape } from "../sandbox/driver.js";

export interface Spare {
  id: string;
  shape: SandboxShape;
  api: RuntimeApi;
  sandbox: Sandbox;
}

export interface SpareOptions {
  /** Spares kept per shape. 0 turns spares off. */
  perShape: number;
  /** How many shapes are kept stocked (most recently demanded first). */
  maxShapes: number;
}

/** Variables that change how a runtime process starts: a function setting any needs a fresh runtime. */
const STARTUP_VARIABLES = /^(NODE_OPTIONS|NODE_\w+|PYTHON\w+|LD_\w+|AWS_LAMBDA_EXEC_WRAPPER|LANG|LC_\w+)$/;

/**
 * Start a sandbox whose runtime waits for its binding. A cold start without a spare uses this too:
 * the runtime starts while the sandbox's storage and package are mounted. `ahead`: a spare, made
 * before anyone waits for it, whose runtime may use the time to load what functions commonly need.
 */
export async function startUnbound(driver: SandboxDriver, shape: SandboxShape, ahead = false): Promise<Spare> {
  const leave = await starting.enter();
  const id = randomBytes(8).toString("hex");
  let listening: ReturnType<typeof RuntimeApi.listen> | undefined;
  try {
    const targets = driver.runtimeApiTargets(id, shape);
    // The sandbox is prepared while its Runtime API opens.
    listening = RuntimeApi.listen(targets.socket ? [targets.tcp, targets.socket] : [targets.tcp], IDLE_EVENTS, true);
    listening.catch(() => undefined);
    const env: Record<string, string> = { TZ: ":UTC", LANG: "en_US.UTF-8", ...(ahead ? { _FLINT_SPARE: "1" } : {}) };
    const sandbox = await driver.create({ ...shape, id, env }, listening.then(({ addresses }) => ({ tcp: addresses[0]!, socket: addresses[1] })));
    const { api } = await listening;
    void Promise.race([api.started, sandbox.exited]).then(leave);
    setTimeout(leave, START_SLOT_MAX_MS).unref();
    return { id, shape, api, sandbox };
  } catch (err) {
    leave();
    (await listening?.catch(() => undefined))?.api.close();
    throw err;
  }
}

/**
 * How many runtimes may be starting at once. Starting one is CPU work (a Node.js process costs
 * ~30 ms of CPU before it can ask for its binding); a burst that started two hundred at once on two
 * cores had every one of them finish after nearly all the others (first response after 2–6 s).
 * Bounded, they come up in order: on two cores, 200 parallel invokes from zero got their first
 * response after ~0.3 s instead of ~4 s and their last sooner (2, 4, 8 and 16 slots measured; 8
 * was best). A slot is held until the runtime asks for its binding (before the function's own
 * init), its sandbox dies, or START_SLOT_MAX_MS pass, so nothing a function does can hold one.
 */
export const START_SLOTS = Math.max(4, 4 * availableParallelism());
const START_SLOT_MAX_MS = 2_000;

export class StartGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly slots: number) {}

  /** Wait for a slot; resolves with the function that gives it back (idempotent). */
  async enter(): Promise<() => void> {
    if (this.active < this.slots) this.active++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    };
  }
}

const starting = new StartGate(START_SLOTS);

export const shapeKey = (s: SandboxShape) => `${s.family}/${s.memoryMb}/${s.ephemeralStorageMb}/${s.network}`;

const IDLE_EVENTS = { initDone() {}, initError() {}, waiting() {} };

export class SparePool {
  private readonly stock = new Map<string, Spare[]>();
  /** Shapes by recency of demand; the first `maxShapes` are kept stocked. */
  private demand: SandboxShape[] = [];
  private filling = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly driver: SandboxDriver,
    private readonly options: SpareOptions,
    initial: SandboxShape[],
  ) {
    for (const shape of initial) this.noteDemand(shape);
  }

  /** Can a function with this environment run in a spare of this shape? */
  static fits(shape: SandboxShape, env: Record<string, string> | undefined): boolean {
    if (shape.family === "provided") return false;
    return !Object.keys(env ?? {}).some((k) => STARTUP_VARIABLES.test(k));
  }

  /** A spare of this shape, if one is ready; the pool refills behind it. */
  take(shape: SandboxShape): Spare | undefined {
    if (this.options.perShape === 0 || this.closed) return undefined;
    this.noteDemand(shape);
    const spare = this.stock.get(shapeKey(shape))?.shift();
    this.refill();
    return spare;
  }

  private noteDemand(shape: SandboxShape): void {
    const key = shapeKey(shape);
    this.demand = [shape, ...this.demand.filter((s) => shapeKey(s) !== key)];
    for (const old of this.demand.splice(this.options.maxShapes)) {
      for (const spare of this.stock.get(shapeKey(old)) ?? []) void this.discard(spare);
      this.stock.delete(shapeKey(old));
    }
  }

  /** Top every stocked shape up to `perShape`, one sandbox at a time per shape. */
  refill(): void {
    if (this.closed || this.options.perShape === 0) return;
    for (const shape of this.demand) {
      const key = shapeKey(shape);
      if (this.filling.has(key) || (this.stock.get(key)?.length ?? 0) >= this.options.perShape) continue;
      this.filling.add(key);
      const making = this.make(shape)
        .then((spare) => {
          if (this.closed || !this.demand.some((s) => shapeKey(s) === key)) return this.discard(spare);
          const list = this.stock.get(key) ?? [];
          list.push(spare);
          this.stock.set(key, list);
        })
        .catch((err) => console.error(`flint: could not prepare a spare ${key} sandbox: ${(err as Error).message}`))
        .finally(() => {
          this.filling.delete(key);
          this.inFlight.delete(making);
          if (!this.closed) setImmediate(() => this.refill());
        });
      this.inFlight.add(making);
    }
  }

  private async make(shape: SandboxShape): Promise<Spare> {
    const spare = await startUnbound(this.driver, shape, true);
    void spare.sandbox.exited.then(() => this.forget(spare));
    return spare;
  }

  /** A spare that died before anyone took it. */
  private forget(spare: Spare): void {
    const list = this.stock.get(shapeKey(spare.shape));
    const i = list?.indexOf(spare) ?? -1;
    if (i >= 0) {
      list!.splice(i, 1);
      spare.api.close();
      this.refill();
    }
  }

  private async discard(spare: Spare): Promise<void> {
    spare.api.close();
    await spare.sandbox.destroy();
  }

  /** Spares ready per shape, and the memory they hold. */
  async report(): Promise<{ ready: Record<string, number>; memoryBytes: number }> {
    const ready: Record<string, number> = {};
    let memoryBytes = 0;
    for (const [key, list] of this.stock) {
      ready[key] = list.length;
      for (const s of list) memoryBytes += await s.sandbox.memoryBytes();
    }
    return { ready, memoryBytes };
  }

  async close(): Promise<void> {
    this.closed = true;
    // Spares still being made are discarded as they arrive (closed): wait for them.
    await Promise.all([...this.inFlight]);
    const all = [...this.stock.values()].flat();
    this.stock.clear();
    await Promise.all(all.map((s) => this.discard(s)));
  }
}
