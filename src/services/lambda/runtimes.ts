/**
 * Runtime identifiers: the ones AWS accepts (for AWS's exact validation message) and the ones Flint
 * can run on this machine, with how each starts.
 */

/** AWS's enum, in the order AWS prints it in validation messages (recorded 2025-11). */
export const AWS_RUNTIMES = [
  "nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13", "nodejs24.x", "nodejs22.x", "java25",
  "python3.10", "python3.11", "java21", "ruby3.3", "ruby3.4", "ruby3.2", "python3.8", "python3.9", "java17",
  "nodejs16.x", "dotnet10", "dotnet8", "java11", "dotnet6", "nodejs18.x", "provided.al2", "java8.al2",
] as const;

export const RuntimeFamily = { node: "node", python: "python", provided: "provided" } as const;
export type RuntimeFamily = (typeof RuntimeFamily)[keyof typeof RuntimeFamily];

/** Runtimes Flint executes: Node.js on the machine's Node, Python on /usr/bin/python3, custom runtimes via `bootstrap`. */
export const FLINT_RUNTIMES: Readonly<Record<string, RuntimeFamily>> = {
  "nodejs18.x": "node",
  "nodejs20.x": "node",
  "nodejs22.x": "node",
  "python3.9": "python",
  "python3.10": "python",
  "python3.11": "python",
  "python3.12": "python",
  "python3.13": "python",
  provided: "provided",
  "provided.al2": "provided",
  "provided.al2023": "provided",
};

export function runtimeFamily(runtime: string): RuntimeFamily {
  const family = FLINT_RUNTIMES[runtime];
  if (!family) throw new Error(`no runtime family for ${runtime}`);
  return family;
}
