import { test } from "node:test";
import assert from "node:assert/strict";
import { md5OfAttributes, selectAttributes, validateBody, validateMessageAttributes } from "./message-attributes.js";
import type { MessageAttributes } from "./model.js";

// Reference digests published with the `aws-md5-of-message-attributes` npm package (computed by SQS).
const simple: MessageAttributes = { attribName1: { DataType: "String", StringValue: "attribValue 1" } };
const custom: MessageAttributes = { customNumberTypeAttrib: { DataType: "Number.float", StringValue: "4563442423554324324264524243.32543234" } };
const binary: MessageAttributes = { binaryAttribute: { DataType: "Binary", BinaryValue: Buffer.from("Hello binary world!") } };

test("MD5 of message attributes follows AWS's length-prefixed encoding", () => {
  assert.equal(md5OfAttributes(simple), "19e27d4e946b072f3f58da80d94fd778");
  assert.equal(md5OfAttributes(custom), "9fe1b90bbd9965bdf77bac517c7d2495");
  assert.equal(md5OfAttributes(binary), "31a92b15d92f8db860eda32aceb656c3");
});

test("MD5 of several attributes sorts them by name, whatever order they came in", () => {
  assert.equal(md5OfAttributes({ ...binary, ...custom, ...simple }), "c932db14a896c663f83c260297d594ff");
  assert.equal(md5OfAttributes({ ...simple, ...binary, ...custom }), "c932db14a896c663f83c260297d594ff");
});

test("no attributes, no digest", () => {
  assert.equal(md5OfAttributes({}), undefined);
});

test("bodies with characters outside XML 1.0 are refused with AWS's message", () => {
  validateBody("tab\tnewline\ncr\r emoji 😀 and \uE000");
  assert.throws(() => validateBody("nul \u0000"), { code: "InvalidMessageContents", message: /Invalid binary character '#x0' was found in the message body/ });
  assert.throws(() => validateBody("lone \uD800 surrogate"), { code: "InvalidMessageContents", message: /#xD800/ });
});

test("attribute names, types and values are checked as AWS does", () => {
  validateMessageAttributes({ ...simple, ...custom, ...binary, "a.b-c_d": { DataType: "String.json", StringValue: "{}" } });
  const bad: [MessageAttributes, RegExp][] = [
    [{ "AWS.x": { DataType: "String", StringValue: "v" } }, /name 'AWS.x' is invalid/],
    [{ "a..b": { DataType: "String", StringValue: "v" } }, /name 'a..b' is invalid/],
    [{ a: { DataType: "Text", StringValue: "v" } }, /supported type prefixes/],
    [{ a: { DataType: "String", StringValue: "" } }, /must use field 'String'/],
    [{ a: { DataType: "Binary", StringValue: "v" } }, /must use field 'Binary'/],
    [{ a: { DataType: "Number", StringValue: "twelve" } }, /to a number/],
    [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }])), /exceeds the allowed maximum \[10\]/],
  ];
  for (const [attrs, message] of bad) assert.throws(() => validateMessageAttributes(attrs), { code: "InvalidParameterValueException", message });
  assert.throws(() => validateMessageAttributes({ Other: { DataType: "String", StringValue: "v" } }, true), /system attribute name 'Other' is invalid/);
});

test("Number attributes: up to 38 significant digits within AWS's range, however long the text", () => {
  const number = (StringValue: string) => () => validateMessageAttributes({ n: { DataType: "Number", StringValue } });
  for (const ok of ["0", "-1.5", "+.5", "1.", "1e5", " 42 ", `0.000${"9".repeat(38)}000`, "1e126"]) number(ok)();
  for (const bad of ["1..2", "e5", `${"9".repeat(39)}`, "1e127", "-1e129"]) assert.throws(number(bad), { message: /Can't cast the value of message \(user\) attribute 'n' to a number/ }, bad);
  // Millions of characters, judged in one pass: the old patterns backtracked quadratically on these.
  assert.throws(number(`${"1".repeat(5_000_000)}x`), { message: /to a number/ });
  number(`${"0".repeat(5_000_000)}1`)();
  number(`1${"0".repeat(5_000_000)}e-4999990`)();
});

test("a receive returns the attributes it names: All, .*, a prefix.* or exact names", () => {
  const attrs: MessageAttributes = { "order.id": { DataType: "String", StringValue: "1" }, "order.kind": { DataType: "String", StringValue: "x" }, trace: { DataType: "String", StringValue: "t" } };
  assert.deepEqual(Object.keys(selectAttributes(attrs, ["All"])), ["order.id", "order.kind", "trace"]);
  assert.deepEqual(Object.keys(selectAttributes(attrs, [".*"])), ["order.id", "order.kind", "trace"]);
  assert.deepEqual(Object.keys(selectAttributes(attrs, ["order.*"])), ["order.id", "order.kind"]);
  assert.deepEqual(Object.keys(selectAttributes(attrs, ["trace", "missing"])), ["trace"]);
  assert.deepEqual(selectAttributes(attrs, undefined), {});
});
