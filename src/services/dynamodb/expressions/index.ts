/**
 * DynamoDB's expression language: parse condition, filter, update, projection and key condition
 * expressions with AWS's validation messages; evaluate conditions, apply updates, project items.
 */
export type {
  Comparator,
  Condition,
  ConditionFunction,
  ExpressionInput,
  KeyCondition,
  Operand,
  Path,
  PathElement,
  RangeCondition,
  SetValue,
  Update,
  UpdateAction,
} from "./ast.js";
export { Usage } from "./usage.js";
export { parseCondition } from "./condition.js";
export { evaluate, getPath, pathsOfCondition } from "./evaluate.js";
export { parseUpdate, pathsOfUpdate } from "./update.js";
export { applyUpdate } from "./apply.js";
export { parseProjection, project } from "./projection.js";
export { parseKeyCondition, type KeyNames } from "./key-condition.js";
export { isReserved } from "./reserved.js";
export { pathText } from "./parser.js";
