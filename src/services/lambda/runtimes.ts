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

/**
 * Identifiers AWS once accepted and now refuses for new functions and updates, with "no longer
 * supported" rather than the enum message (recorded for java8, go1.x, ruby2.7, nodejs14.x, python3.7,
 * dotnetcore3.1 and nodejs12.x; the others are the older retired values of the same enum). AWS refuses
 * `provided` the same way, but Flint still runs it (see FLINT_RUNTIMES), so it is not listed here.
 */
export const RETIRED_RUNTIMES: readonly string[] = [
  "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "python2.7",
  "python3.6", "python3.7", "java8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "go1.x", "ruby2.5", "ruby2.7",
];

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
