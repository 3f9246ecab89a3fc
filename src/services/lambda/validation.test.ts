import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonStart, member, parseJsonBody } from "./validation.js";

test("a member of the wrong type is named with the start of its JSON, however deep it is nested", () => {
  const body = (json: string) => parseJsonBody(Buffer.from(`{"Timeout":${json}}`));
  assert.throws(() => member(body('"30"'), "Timeout", "integer"), {
    code: "InvalidRequestContentException",
    message: "Could not parse request body into json: Cannot deserialize value of type `java.lang.Integer` from \"30\" at 'Timeout'",
  });
  assert.throws(() => member(body(JSON.stringify("x".repeat(1000))), "Timeout", "integer"), { message: new RegExp(`from "${"x".repeat(63)} at 'Timeout'$`) });
  // JSON.parse takes this; JSON.stringify would overflow the call stack on it. The body is refused
  // for its depth, and a value that deep is still named by its start.
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  assert.throws(() => body(deep), { code: "InvalidRequestContentException", message: "Could not parse request body into json: nesting depth exceeds 64" });
  assert.equal(jsonStart(JSON.parse(deep)), "[".repeat(64));
});
