import { test } from "node:test";
import assert from "node:assert/strict";
import { statementPositions } from "./statement-positions.js";

test("a pretty-printed policy's statement spans as AWS's CLI example gives them (line 3 column 19 to line 9 column 10)", () => {
  const text = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Grant", Effect: "Allow", Action: "codecommit:ListRepositories", Resource: "*" }] }, null, 4);
  assert.deepEqual(statementPositions(text), [{ start: { Line: 3, Column: 19 }, end: { Line: 9, Column: 10 } }]);
});

test("a compact policy: each statement from just after its `[` or `,` to just after its `}`", () => {
  const text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}';
  const [first, second] = statementPositions(text);
  assert.deepEqual(first, { start: { Line: 1, Column: 41 }, end: { Line: 1, Column: 1 + text.indexOf("}, {") + 1 } });
  assert.equal(second!.start.Column, text.indexOf("}, {") + 3);
  assert.equal(second!.end.Column, text.length - 1);
});

test("a single statement object, braces and brackets in strings, and text that is no policy", () => {
  assert.deepEqual(statementPositions('{"Statement": {"Sid": "a}]", "Effect": "Allow", "Action": "*", "Resource": ["*"]}}'), [{ start: { Line: 1, Column: 15 }, end: { Line: 1, Column: 82 } }]);
  assert.deepEqual(statementPositions("not json"), []);
});
