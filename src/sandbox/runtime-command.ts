/**
 * How each runtime family starts, and the variables that depend on where code and runtime live.
 * Shared by every driver; a driver only says where `/var/task` and `/var/runtime` are for it.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { RUNTIMES_DIR } from "../paths.js";
import type { RuntimeApiAddresses, SandboxSpec } from "./driver.js";

/** The interpreter Python functions run on: the system one (the first python3 on PATH may be a slow shim). */
export const PYTHON = "/usr/bin/python3";

export interface Layout {
  taskRoot: string;
  runtimeDir: string;
  /** Absolute path of the Node.js and Python interpreters as the sandbox sees them. */
  node: string;
  python: string;
  /** The Runtime API's unix socket as the sandbox sees it. */
  socket?: string;
}

/**
 * V8 does not see the memory limit; keep the heap under it so overflow is a clean runtime error.
 * AWS's Node.js bootstrap passes `--max-old-space-size` too. It has a price (ARCHITECTURE.md): any
 * non-default V8 flag changes V8's flag hash, so Node's embedded code cache is rejected and every
 * built-in module loaded beyond the startup snapshot compiles from source. Flint's bootstrap loads
 * none (no `net`); a function's own (crypto, net and its 27 stream modules, http) cost it 6–13 ms
 * of CPU per cold start here (`perf stat`, 40 runs each). Kept for parity with Lambda.
 */
const heapMb = (memoryMb: number) => Math.max(64, Math.floor(memoryMb * 0.85));

export function runtimeCommand(spec: SandboxSpec, layout: Layout): { file: string; args: string[] } {
  switch (spec.family) {
    case "node":
      return { file: layout.node, args: [`--max-old-space-size=${heapMb(spec.memoryMb)}`, `${layout.runtimeDir}/nodejs/bootstrap.cjs`] };
    case "python":
      // -S: the bootstrap puts site-packages on sys.path itself, without running the host's .pth files.
      return { file: layout.python, args: ["-S", "-X", "utf8", `${layout.runtimeDir}/python/bootstrap.py`] };
    case "provided":
      return { file: `${layout.taskRoot}/bootstrap`, args: [] };
  }
}

/** The path-dependent part of the Lambda environment (as on AWS, with Flint's paths), then `spec.env`. */
export function layoutEnv(spec: SandboxSpec, layout: Layout, runtimeApi: RuntimeApiAddresses): Record<string, string> {
  const env: Record<string, string> = {
    PATH: "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    LD_LIBRARY_PATH: `/lib64:/usr/lib64:${layout.runtimeDir}:${layout.runtimeDir}/lib:${layout.taskRoot}:${layout.taskRoot}/lib:/opt/lib`,
    LAMBDA_TASK_ROOT: layout.taskRoot,
    LAMBDA_RUNTIME_DIR: layout.runtimeDir,
    AWS_LAMBDA_RUNTIME_API: runtimeApi.tcp,
  };
  if (spec.family === "node") env.NODE_PATH = `/opt/nodejs/node_modules:${layout.runtimeDir}/node_modules:${layout.runtimeDir}:${layout.taskRoot}`;
  if (spec.family === "python") env.PYTHONPATH = layout.runtimeDir;
  // Read and removed by Flint's bootstraps before user code loads.
  if (layout.socket && spec.family !== "provided") env._FLINT_RUNTIME_API_SOCKET = layout.socket;
  if (spec.codeDir === undefined) env._FLINT_POOLED = "1";
  return { ...env, ...spec.env };
}

/**
 * Compile the Python runtime's bytecode beside it (`__pycache__`, as Lambda ships its runtime) once
 * per server start, so a cold start loads it rather than compiling it (~5 ms). Best effort: where
 * the runtime directory is read-only, each runtime compiles it for itself as before.
 */
export function precompilePythonRuntime(): Promise<void> {
  const file = path.join(RUNTIMES_DIR, "python", "flint_runtime.py");
  return new Promise((resolve) =>
    execFile(PYTHON, ["-S", "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True)", file], { env: {} }, () => resolve()),
  );
}
