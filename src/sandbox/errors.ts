/** A sandbox that could not start its runtime: reported to the caller as a Lambda runtime error. */
export class SandboxStartError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** What AWS reports when a custom runtime's `bootstrap` is missing or not executable. */
export function bootstrapMissing(taskRoot: string, err: NodeJS.ErrnoException): SandboxStartError {
  if (err.code === "EACCES") return new SandboxStartError("Runtime.InvalidEntrypoint", `fork/exec ${taskRoot}/bootstrap: permission denied`);
  return new SandboxStartError("Runtime.InvalidEntrypoint", `Couldn't find valid bootstrap(s): [${taskRoot}/bootstrap /opt/bootstrap]`);
}
