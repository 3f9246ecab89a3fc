/**
 * The principals AWS names by ARN (and services by name), read into their parts: what
 * `flint iam explain`, the policy simulator and `/_flint/iam/explain` are asked about.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */

/** An IAM user, role or group: `arn:aws:iam::A:<type><path><name>`. */
type Entity<T extends string> = { type: T; account: string; path: string; name: string };

export type PrincipalArn =
  | { type: "root"; account: string }
  | Entity<"user">
  | Entity<"role">
  | Entity<"group">
  | { type: "assumed-role"; account: string; role: string; session: string }
  | { type: "service"; name: string }
  | { type: "anonymous" };

const ENTITY = /^arn:aws:iam::(\d{12}):(user|role|group)(\/(?:[^/]+\/)*)([^/]+)$/;

export function parsePrincipalArn(arn: string): PrincipalArn | undefined {
  if (arn === "anonymous") return { type: "anonymous" };
  if (/^[a-z0-9.-]+\.amazon(aws)?\.com$/.test(arn)) return { type: "service", name: arn };
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(arn);
  if (root) return { type: "root", account: root[1]! };
  const entity = ENTITY.exec(arn);
  if (entity) return { type: entity[2] as "user" | "role" | "group", account: entity[1]!, path: entity[3]!, name: entity[4]! } as PrincipalArn;
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/.exec(arn);
  if (session) return { type: "assumed-role", account: session[1]!, role: session[2]!, session: session[3]! };
  return undefined;
}
