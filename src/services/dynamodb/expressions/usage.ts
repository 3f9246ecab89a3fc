/**
 * A request's ExpressionAttributeNames and ExpressionAttributeValues, and which of them the request's
 * expressions used: DynamoDB rejects a request that defines a placeholder none of its expressions
 * reads (after parsing all of them, so one Usage serves every expression of a request).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
 */
import { awsError } from "../../../errors.js";
import type { AttributeValue } from "../types.js";
import type { ExpressionInput } from "./ast.js";

const NAME_KEY = /^#[0-9a-zA-Z_]+$/;
const VALUE_KEY = /^:[0-9a-zA-Z_]+$/;

export class Usage {
  private readonly names: Record<string, string>;
  private readonly values: Record<string, AttributeValue>;
  private readonly unusedNames: Set<string>;
  private readonly unusedValues: Set<string>;

  /** Checks the placeholders' own form: AWS refuses an empty map and a key that is not `#word` / `:word`. */
  constructor(input: ExpressionInput) {
    this.names = input.names ?? {};
    this.values = input.values ?? {};
    check("ExpressionAttributeNames", input.names, NAME_KEY);
    check("ExpressionAttributeValues", input.values, VALUE_KEY);
    this.unusedNames = new Set(Object.keys(this.names));
    this.unusedValues = new Set(Object.keys(this.values));
  }

  /** The attribute name a `#placeholder` stands for, or undefined when the request does not define it. */
  name(ref: string): string | undefined {
    if (!Object.hasOwn(this.names, ref)) return undefined;
    this.unusedNames.delete(ref);
    return this.names[ref];
  }

  /** The value a `:placeholder` stands for, or undefined when the request does not define it. */
  value(ref: string): AttributeValue | undefined {
    if (!Object.hasOwn(this.values, ref)) return undefined;
    this.unusedValues.delete(ref);
    return this.values[ref];
  }

  /** Call after parsing every expression of the request. */
  checkAllUsed(): void {
    if (this.unusedNames.size > 0) {
      throw awsError("ValidationException", `Value provided in ExpressionAttributeNames unused in expressions: keys: {${[...this.unusedNames].join(", ")}}`);
    }
    if (this.unusedValues.size > 0) {
      throw awsError("ValidationException", `Value provided in ExpressionAttributeValues unused in expressions: keys: {${[...this.unusedValues].join(", ")}}`);
    }
  }
}

function check(member: string, map: Record<string, unknown> | undefined, form: RegExp): void {
  if (map === undefined) return;
  const keys = Object.keys(map);
  if (keys.length === 0) throw awsError("ValidationException", `${member} must not be empty`);
  for (const key of keys) {
    if (!form.test(key)) throw awsError("ValidationException", `${member} contains invalid key: Syntax error; key: "${key}"`);
  }
}
