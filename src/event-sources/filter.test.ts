import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../errors.js";
import { compileFilters, kinesisFilterView, type RecordFilter, sqsFilterView, type SqsMessageRecord } from "./filter.js";

/** FilterCriteria as the API receives it: each pattern a JSON string. */
const criteria = (...patterns: unknown[]) => ({ Filters: patterns.map((p) => ({ Pattern: typeof p === "string" ? p : JSON.stringify(p) })) });
const filter = (...patterns: unknown[]): RecordFilter => {
  const compiled = compileFilters(criteria(...patterns));
  assert.ok(compiled);
  return compiled;
};
/** Does one pattern match a plain JSON record (as a DynamoDB record, or any view)? */
const matches = (pattern: unknown, record: Record<string, unknown>) => filter(pattern).matches(record);

const sqsRecord = (body: string, extra: Partial<SqsMessageRecord> = {}): SqsMessageRecord => ({
  messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
  receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
  body,
  attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1545082649183", SenderId: "AIDAIENQZJOLO23YVJ4VO", ApproximateFirstReceiveTimestamp: "1545082649185" },
  messageAttributes: {},
  md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
  md5OfMessageAttributes: null,
  ...extra,
});
const onSqs = (pattern: unknown, body: unknown, extra?: Partial<SqsMessageRecord>) =>
  filter(pattern).matches(sqsFilterView(sqsRecord(typeof body === "string" ? body : JSON.stringify(body), extra)));

const kinesisRecord = (data: unknown, partitionKey = "1") => ({
  kinesisSchemaVersion: "1.0",
  partitionKey,
  sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
  data: Buffer.from(typeof data === "string" ? data : JSON.stringify(data)).toString("base64"),
  approximateArrivalTimestamp: 1545084650.987,
});
const onKinesis = (pattern: unknown, data: unknown, partitionKey?: string) => filter(pattern).matches(kinesisFilterView(kinesisRecord(data, partitionKey)));

describe("compileFilters: nothing to filter", () => {
  test("absent criteria, no Filters and an empty Filters list give no filter", () => {
    assert.equal(compileFilters(undefined), undefined);
    assert.equal(compileFilters(null), undefined);
    assert.equal(compileFilters({}), undefined);
    assert.equal(compileFilters({ Filters: [] }), undefined);
  });
});

describe("rules on leaf values", () => {
  test("exact strings, numbers, booleans and null; strings are case-sensitive, \"\" is the empty string", () => {
    const record = { name: "Alice", price: 100, gift: false, user: null, last: "" };
    assert.equal(matches({ name: ["Alice"] }, record), true);
    assert.equal(matches({ name: ["alice"] }, record), false);
    assert.equal(matches({ price: [100] }, record), true);
    assert.equal(matches({ price: [100.0] }, record), true);
    assert.equal(matches({ price: ["100"] }, record), false, "a string is not a number");
    assert.equal(matches({ gift: [false] }, record), true);
    assert.equal(matches({ gift: [true] }, record), false);
    assert.equal(matches({ user: [null] }, record), true);
    assert.equal(matches({ last: [""] }, record), true);
    assert.equal(matches({ name: [""] }, record), false);
    assert.equal(matches({ missing: [null] }, record), false, "an absent key is not null");
  });

  test("prefix and suffix, also ignoring case", () => {
    assert.equal(matches({ region: [{ prefix: "us-" }] }, { region: "us-east-1" }), true);
    assert.equal(matches({ region: [{ prefix: "us-" }] }, { region: "eu-west-1" }), false);
    assert.equal(matches({ region: [{ prefix: "US-" }] }, { region: "us-east-1" }), false);
    assert.equal(matches({ service: [{ prefix: { "equals-ignore-case": "EventB" } }] }, { service: "eventbridge" }), true);
    assert.equal(matches({ file: [{ suffix: ".png" }] }, { file: "cat.png" }), true);
    assert.equal(matches({ file: [{ suffix: ".png" }] }, { file: "cat.PNG" }), false);
    assert.equal(matches({ service: [{ suffix: { "equals-ignore-case": "tBridge" } }] }, { service: "EVENTBRIDGE" }), true);
    assert.equal(matches({ code: [{ prefix: "1" }] }, { code: 123 }), false, "prefix applies to strings only");
  });

  test("equals-ignore-case", () => {
    assert.equal(matches({ name: [{ "equals-ignore-case": "alice" }] }, { name: "ALICE" }), true);
    assert.equal(matches({ name: [{ "equals-ignore-case": "alice" }] }, { name: "alicia" }), false);
  });

  test("anything-but: a list, a single value, numbers; the key must be there", () => {
    assert.equal(matches({ weather: [{ "anything-but": ["Raining"] }] }, { weather: "Sunny" }), true);
    assert.equal(matches({ weather: [{ "anything-but": ["Raining", "Snowing"] }] }, { weather: "Snowing" }), false);
    assert.equal(matches({ state: [{ "anything-but": "initializing" }] }, { state: "initializing" }), false);
    assert.equal(matches({ state: [{ "anything-but": "initializing" }] }, { state: "running" }), true);
    assert.equal(matches({ limit: [{ "anything-but": [100, 200] }] }, { limit: 200 }), false);
    assert.equal(matches({ limit: [{ "anything-but": 123 }] }, { limit: 124 }), true);
    assert.equal(matches({ weather: [{ "anything-but": ["Raining"] }] }, {}), false);
  });

  test("numeric: one comparison or a range, on numbers only", () => {
    assert.equal(matches({ price: [{ numeric: ["=", 100] }] }, { price: 100 }), true);
    assert.equal(matches({ price: [{ numeric: [">", 10, "<=", 20] }] }, { price: 20 }), true);
    assert.equal(matches({ price: [{ numeric: [">", 10, "<=", 20] }] }, { price: 10 }), false);
    assert.equal(matches({ price: [{ numeric: [">=", 10, "<", 20] }] }, { price: 10 }), true);
    assert.equal(matches({ price: [{ numeric: ["<", 0] }] }, { price: -0.5 }), true);
    assert.equal(matches({ price: [{ numeric: ["<=", 5] }] }, { price: 6 }), false);
    assert.equal(matches({ price: [{ numeric: [">", 1] }] }, { price: "5" }), false, "a numeric string is not a number");
  });

  test("exists: true needs a leaf value there, false matches an absent key", () => {
    assert.equal(matches({ product: [{ exists: true }] }, { product: "x" }), true);
    assert.equal(matches({ product: [{ exists: true }] }, { product: null }), true, "null is a value");
    assert.equal(matches({ product: [{ exists: true }] }, {}), false);
    assert.equal(matches({ product: [{ exists: false }] }, {}), true);
    assert.equal(matches({ product: [{ exists: false }] }, { product: "x" }), false);
    assert.equal(matches({ product: [{ exists: true }] }, { product: { name: "x" } }), false, "an object is not a leaf");
    assert.equal(matches({ product: [{ exists: false }] }, { product: [] }), true, "an empty array has no values");
  });

  test("a key's rules are alternatives: any one may match", () => {
    assert.equal(matches({ payment: ["Credit", "Debit"] }, { payment: "Debit" }), true);
    assert.equal(matches({ color: ["red", { prefix: "bl" }, { numeric: [">", 5] }] }, { color: 6 }), true);
    assert.equal(matches({ color: ["red", { prefix: "bl" }] }, { color: "green" }), false);
  });
});

describe("structure: nesting, arrays, $or, several filters", () => {
  test("keys are ANDed, nested objects are paths, and fields the pattern names must all be there", () => {
    const record = { location: "New York", day: "Monday", order: { type: "buy", stock: { symbol: "ANYCO" } } };
    assert.equal(matches({ location: ["New York"], day: ["Monday"] }, record), true);
    assert.equal(matches({ location: ["New York"], day: ["Tuesday"] }, record), false);
    assert.equal(matches({ order: { stock: { symbol: ["ANYCO"] } } }, record), true);
    assert.equal(matches({ order: { type: ["sell"] } }, record), false);
    assert.equal(matches({ order: ["buy"] }, record), false, "an object is not a leaf value");
    assert.equal(matches({ other: { type: ["buy"] } }, record), false);
  });

  test("arrays in the record match when any element does, objects inside arrays included", () => {
    const record = { tags: ["a", "b"], items: [{ price: 5 }, { price: 50 }], nested: [[1, [2]]] };
    assert.equal(matches({ tags: ["b"] }, record), true);
    assert.equal(matches({ tags: ["c"] }, record), false);
    assert.equal(matches({ items: { price: [{ numeric: [">", 40] }] } }, record), true);
    assert.equal(matches({ items: { price: [{ numeric: [">", 60] }] } }, record), false);
    assert.equal(matches({ nested: [2] }, record), true);
    assert.equal(matches({ tags: [{ "anything-but": ["a"] }] }, record), true, "b is not a");
  });

  test("$or: one of its alternatives must match, at the top or inside an object", () => {
    const top = { $or: [{ location: ["New York"] }, { day: ["Monday"] }] };
    assert.equal(matches(top, { location: "Boston", day: "Monday" }), true);
    assert.equal(matches(top, { location: "Boston", day: "Friday" }), false);
    const nested = { detail: { scope: ["Service"], $or: [{ source: ["aws.cloudwatch"] }, { type: [{ prefix: "Alarm" }] }] } };
    assert.equal(matches(nested, { detail: { scope: "Service", type: "AlarmRaised" } }), true);
    assert.equal(matches(nested, { detail: { scope: "Service", source: "aws.ec2" } }), false);
    assert.equal(matches(nested, { detail: { type: "Alarm" } }), false);
    assert.equal(matches(nested, { type: "Alarm", detail: { scope: "Service" } }), false);
  });

  test("filters are ORed: a record passes if any one matches", () => {
    const f = filter({ a: ["1"] }, { b: ["2"] });
    assert.equal(f.matches({ a: "1" }), true);
    assert.equal(f.matches({ b: "2" }), true);
    assert.equal(f.matches({ a: "2", b: "1" }), false);
  });

  test("a duplicated key counts only with its last value (JSON text of AWS's example)", () => {
    const pattern = '{"data": {"duplicateKey": ["hello"], "uniqueKey": ["test123"], "duplicateKey": ["world"]}}';
    assert.equal(matches(pattern, { data: { duplicateKey: "world", uniqueKey: "test123" } }), true);
    assert.equal(matches(pattern, { data: { duplicateKey: "hello", uniqueKey: "test123" } }), false);
  });
});

describe("SQS: body, attributes and message attributes", () => {
  test("a JSON body is filtered as JSON (AWS's RequestCode and RecordNumber examples)", () => {
    const body = '{\n "RecordNumber": 1234,\n "TimeStamp": "yyyy-mm-ddThh:mm:ss",\n "RequestCode": "AAAA"\n}';
    assert.equal(onSqs({ body: { RequestCode: ["BBBB"] } }, body), false);
    assert.equal(onSqs({ body: { RequestCode: ["AAAA"] } }, body), true);
    assert.equal(onSqs({ body: { RecordNumber: [{ numeric: [">", 9999] }] } }, body), false);
    assert.equal(onSqs({ body: { RecordNumber: [{ numeric: [">", 999] }] } }, body), true);
  });

  test("the cases LocalStack recorded against AWS (matching and dropped message)", () => {
    const cases: [pattern: unknown, matching: unknown, dropped: unknown][] = [
      [{ body: { "my-key": ["my-value"] } }, { "my-key": "my-value" }, { "my-key": "other-value" }],
      [{ body: { "my-key": ["my-value-one", "my-value-two"] } }, { "my-key": "my-value-two" }, { "my-key": "other-value" }],
      [
        { body: { "my-key-one": ["other-filter", "my-value-one"], "my-key-two": ["my-value-two"] } },
        { "my-key-one": "my-value-one", "my-key-two": "my-value-two" },
        { "my-key-one": "other-value-", "my-key-two": "my-value-two" },
      ],
      [{ body: { "my-key": [{ exists: true }] } }, { "my-key": "any-value-one" }, { "other-key": "any-value-two" }],
      [{ body: { "my-number": [{ numeric: [">", 100] }] } }, { "my-number": 101 }, { "my-number": 100 }],
      [{ body: { "my-number": [{ numeric: ["<", 100] }] } }, { "my-number": 99 }, { "my-number": 100 }],
      [{ body: { "my-number": [{ numeric: [">=", 100, "<", 200] }] } }, { "my-number": 100 }, { "my-number": 200 }],
      [{ body: { "my-key": [{ prefix: "yes" }] } }, { "my-key": "yes-value" }, { "my-key": "no-value" }],
      [{ body: { "my-key": ["my-value"] } }, { "my-key": "my-value" }, "plain-string"],
    ];
    for (const [pattern, matching, dropped] of cases) {
      assert.equal(onSqs(pattern, matching), true, JSON.stringify(pattern));
      assert.equal(onSqs(pattern, dropped), false, JSON.stringify(pattern));
    }
  });

  test("a plain-string body is matched as text by rules for the body itself", () => {
    assert.equal(onSqs({ body: ["hello world"] }, "hello world"), true);
    assert.equal(onSqs({ body: ["hello"] }, "hello world"), false);
    assert.equal(onSqs({ body: [{ prefix: "Result: " }] }, "Result: ok"), true);
    assert.equal(onSqs({ body: [{ "anything-but": ["noise"] }] }, "signal"), true);
    assert.equal(onSqs({ body: ["{not json"] }, "{not json"), true, "text that only looks like JSON stays text");
    assert.equal(onSqs({ body: ["123"] }, "123"), true, "a JSON scalar body is filtered as its text");
  });

  test("a JSON body drops a pattern that expects text, and a text body one that looks inside", () => {
    assert.equal(onSqs({ body: ['{"a":"x"}'] }, { a: "x" }), false);
    assert.equal(onSqs({ body: [{ exists: true }] }, { a: "x" }), false);
    assert.equal(onSqs({ body: [{ exists: false }] }, { a: "x" }), false);
    assert.equal(onSqs({ body: { a: [{ exists: false }] } }, "plain text"), false);
    assert.equal(onSqs({ $or: [{ body: ["plain text"] }, { body: { a: ["x"] } }] }, "plain text"), true, "each alternative expects its own form");
    assert.equal(onSqs({ $or: [{ body: ["plain text"] }, { body: { a: ["x"] } }] }, { a: "x" }), true);
  });

  test("a body that is a JSON array is filtered as JSON", () => {
    assert.equal(onSqs({ body: { id: [2] } }, [{ id: 1 }, { id: 2 }]), true);
  });

  test("attributes, message attributes and other metadata, without looking at the body", () => {
    const messageAttributes = { Author: { stringValue: "John Grisham", stringListValues: [], binaryListValues: [], dataType: "String" } };
    assert.equal(onSqs({ attributes: { ApproximateReceiveCount: ["1"] } }, "x"), true);
    assert.equal(onSqs({ attributes: { SenderId: [{ prefix: "AIDA" }], ApproximateReceiveCount: [1] } }, "x"), false, "attribute values are strings");
    assert.equal(onSqs({ messageAttributes: { Author: { stringValue: ["John Grisham"] } } }, "x", { messageAttributes }), true);
    assert.equal(onSqs({ messageAttributes: { Author: { dataType: ["Number"] } } }, "x", { messageAttributes }), false);
    assert.equal(onSqs({ messageId: [{ prefix: "059f" }], body: { a: ["x"] } }, { a: "x" }), true);
    assert.equal(onSqs({ md5OfMessageAttributes: [{ exists: false }] }, "x", { md5OfMessageAttributes: undefined }), true, "an undefined field is absent");
    assert.equal(onSqs({ eventSource: ["aws:sqs"] }, "x"), false, "eventSource is added after filtering");
  });

  test("a filter that does not name the body never reads it", () => {
    let reads = 0;
    const view = {
      messageId: "m1",
      get body() {
        reads++;
        return { a: "x" };
      },
    };
    assert.equal(filter({ messageId: ["m1"] }, { messageId: ["m2"] }).matches(view), true);
    assert.equal(reads, 0);
    assert.equal(filter({ body: { a: ["x"] } }, { body: { a: ["y"] } }).matches(view), true);
  });

  test("a record its metadata rejects is not decoded, whatever the order of the pattern's keys", () => {
    let reads = 0;
    const view = {
      partitionKey: "2",
      get data() {
        reads++;
        return { a: "x" };
      },
    };
    assert.equal(filter({ data: { a: ["x"] }, partitionKey: ["1"] }).matches(view), false);
    assert.equal(filter({ data: ["text"], partitionKey: ["1"] }).matches(view), false);
    assert.equal(reads, 0);
  });
});

describe("Kinesis: metadata and base64 data", () => {
  test("partitionKey and a JSON data property (AWS's Los Angeles example)", () => {
    const pattern = { partitionKey: ["1"], data: { Location: ["Los Angeles"] } };
    assert.equal(onKinesis(pattern, { Location: "Los Angeles" }, "1"), true);
    assert.equal(onKinesis(pattern, { Location: "Los Angeles" }, "2"), false);
    assert.equal(onKinesis(pattern, { Location: "Seattle" }, "1"), false);
  });

  test("AWS's Temperature range and order-type examples", () => {
    const temperature = { data: { Temperature: [{ numeric: [">", 50, "<=", 60] }] } };
    assert.equal(onKinesis(temperature, { Temperature: 55 }), true);
    assert.equal(onKinesis(temperature, { Temperature: 61 }), false);
    assert.equal(onKinesis(temperature, { Temperature: "55" }), false, "a string is not a number");
    const buy = { data: { order: { type: ["buy"] } } };
    assert.equal(onKinesis(buy, { record: 12345, order: { type: "buy", stock: "ANYCO", quantity: 1000 } }), true);
    assert.equal(onKinesis(buy, { record: 12345, order: { type: "sell", stock: "ANYCO", quantity: 1000 } }), false);
  });

  test("data that is not JSON drops a JSON pattern and is matched as text by rules for data", () => {
    assert.equal(onKinesis({ data: { a: ["x"] } }, "hello"), false);
    assert.equal(onKinesis({ data: ["hello"] }, "hello"), true);
    assert.equal(onKinesis({ data: [{ prefix: "hel" }] }, "hello"), true);
    assert.equal(onKinesis({ data: ["hello"] }, { greeting: "hello" }), false);
  });

  test("the view keeps sequenceNumber and approximateArrivalTimestamp", () => {
    assert.equal(onKinesis({ sequenceNumber: [{ prefix: "4959" }], approximateArrivalTimestamp: [{ numeric: [">", 1545084650] }] }, "x"), true);
  });
});

describe("AWS's documented examples", () => {
  test("each row of Lambda's comparison operator table", () => {
    const rows: [pattern: unknown, matching: Record<string, unknown>, other: Record<string, unknown>][] = [
      [{ UserID: [null] }, { UserID: null }, { UserID: "u1" }],
      [{ LastName: [""] }, { LastName: "" }, { LastName: "Doe" }],
      [{ Name: ["Alice"] }, { Name: "Alice" }, { Name: "Bob" }],
      [{ Name: [{ "equals-ignore-case": "alice" }] }, { Name: "Alice" }, { Name: "Bob" }],
      [{ Location: ["New York"], Day: ["Monday"] }, { Location: "New York", Day: "Monday" }, { Location: "New York", Day: "Sunday" }],
      [{ PaymentType: ["Credit", "Debit"] }, { PaymentType: "Credit" }, { PaymentType: "Cash" }],
      [{ $or: [{ Location: ["New York"] }, { Day: ["Monday"] }] }, { Location: "Paris", Day: "Monday" }, { Location: "Paris", Day: "Sunday" }],
      [{ Weather: [{ "anything-but": ["Raining"] }] }, { Weather: "Sunny" }, { Weather: "Raining" }],
      [{ Price: [{ numeric: ["=", 100] }] }, { Price: 100 }, { Price: 101 }],
      [{ Price: [{ numeric: [">", 10, "<=", 20] }] }, { Price: 15 }, { Price: 25 }],
      [{ ProductName: [{ exists: true }] }, { ProductName: "x" }, {}],
      [{ ProductName: [{ exists: false }] }, {}, { ProductName: "x" }],
      [{ Region: [{ prefix: "us-" }] }, { Region: "us-east-1" }, { Region: "eu-west-1" }],
      [{ FileName: [{ suffix: ".png" }] }, { FileName: "a.png" }, { FileName: "a.jpg" }],
    ];
    for (const [pattern, matching, other] of rows) {
      assert.equal(matches(pattern, matching), true, JSON.stringify(pattern));
      assert.equal(matches(pattern, other), false, JSON.stringify(pattern));
    }
  });

  test("multi-level filtering of a DynamoDB record, and the console's { \"a\" : [ 1, 2 ] }", () => {
    const record = {
      eventName: "INSERT",
      dynamodb: { Keys: { Id: { N: "101" } }, NewImage: { Message: { S: "New item!" }, Id: { N: "101" } }, SequenceNumber: "111", SizeBytes: 26, StreamViewType: "NEW_AND_OLD_IMAGES" },
    };
    assert.equal(matches({ dynamodb: { Keys: { Id: { N: ["101"] } } } }, record), true);
    assert.equal(matches({ dynamodb: { Keys: { Id: { N: ["102"] } } } }, record), false);
    assert.equal(matches({ dynamodb: { NewImage: { presentKey: [{ exists: false }] } } }, record), true);
    assert.equal(matches('{ "a" : [ 1, 2 ] }', { a: 2 }), true);
    assert.equal(matches('{ "a" : [ 1, 2 ] }', { a: 3 }), false);
  });
});

describe("invalid filter criteria", () => {
  const rejected = (criteria: unknown) =>
    assert.throws(
      () => compileFilters(criteria),
      (err: unknown) => err instanceof AwsError && err.code === "InvalidParameterValueException" && err.status === 400 && err.message === "Invalid filter pattern definition.",
      JSON.stringify(criteria),
    );

  test("each bad pattern is refused with AWS's one message", () => {
    const bad: string[] = [
      // recorded against AWS (LocalStack's test_sqs_invalid_event_filter)
      "null",
      "simple string",
      JSON.stringify({ eventSource: "aws:sqs" }),
      JSON.stringify({ eventSource: [] }),
      // not an object
      "[]",
      '["a"]',
      "42",
      '"text"',
      "",
      "{",
      // empty objects, leaves that are not lists
      "{}",
      JSON.stringify({ a: {} }),
      JSON.stringify({ a: 1 }),
      JSON.stringify({ a: null }),
      JSON.stringify({ a: true }),
      // rules
      JSON.stringify({ a: [[1]] }),
      JSON.stringify({ a: [{}] }),
      JSON.stringify({ a: [{ nope: 1 }] }),
      JSON.stringify({ a: [{ prefix: "x", suffix: "y" }] }),
      JSON.stringify({ a: [{ prefix: 1 }] }),
      JSON.stringify({ a: [{ prefix: { nope: "x" } }] }),
      JSON.stringify({ a: [{ prefix: { "equals-ignore-case": 1 } }] }),
      JSON.stringify({ a: [{ suffix: null }] }),
      JSON.stringify({ a: [{ "equals-ignore-case": ["x"] }] }),
      JSON.stringify({ a: [{ exists: "yes" }] }),
      JSON.stringify({ a: [{ exists: 1 }] }),
      JSON.stringify({ a: [{ "anything-but": null }] }),
      JSON.stringify({ a: [{ "anything-but": true }] }),
      JSON.stringify({ a: [{ "anything-but": [null] }] }),
      JSON.stringify({ a: [{ "anything-but": [{ prefix: "x" }] }] }),
      // anything-but of a pattern: not supported by Pipes and Lambda
      JSON.stringify({ a: [{ "anything-but": { prefix: "x" } }] }),
      JSON.stringify({ a: [{ "anything-but": { suffix: "x" } }] }),
      JSON.stringify({ a: [{ "anything-but": { "equals-ignore-case": "x" } }] }),
      // operators Lambda does not have
      JSON.stringify({ a: [{ cidr: "10.0.0.0/24" }] }),
      JSON.stringify({ a: [{ wildcard: "*.png" }] }),
      // numeric
      JSON.stringify({ a: [{ numeric: [] }] }),
      JSON.stringify({ a: [{ numeric: 5 }] }),
      JSON.stringify({ a: [{ numeric: [5] }] }),
      JSON.stringify({ a: [{ numeric: ["!", 5] }] }),
      JSON.stringify({ a: [{ numeric: ["<", "5"] }] }),
      JSON.stringify({ a: [{ numeric: ["<", 10, "<", 5] }] }),
      JSON.stringify({ a: [{ numeric: [">", 10, "<", 5] }] }),
      JSON.stringify({ a: [{ numeric: [">", 5, "<", 5] }] }),
      JSON.stringify({ a: [{ numeric: [">", 0, ">", 5] }] }),
      JSON.stringify({ a: [{ numeric: [">", 0, "<", "9"] }] }),
      JSON.stringify({ a: [{ numeric: [">", 0, "<", 9, "=", 1] }] }),
      // $or
      JSON.stringify({ $or: [{ a: ["1"] }] }),
      JSON.stringify({ $or: { a: ["1"] } }),
      JSON.stringify({ $or: [{ a: ["1"] }, "b"] }),
      JSON.stringify({ $or: [{ a: ["1"] }, {}] }),
      // longer than 4096 characters
      JSON.stringify({ a: ["x".repeat(4100)] }),
    ];
    for (const pattern of bad) rejected({ Filters: [{ Pattern: pattern }] });
  });

  test("a bad FilterCriteria shape, a missing Pattern, or more than five filters is refused", () => {
    rejected("text");
    rejected({ Filters: "x" });
    rejected({ Filters: [{}] });
    rejected({ Filters: [{ Pattern: 1 }] });
    rejected({ Filters: [null] });
    rejected(criteria(...Array.from({ length: 6 }, (_, i) => ({ a: [String(i)] }))));
    rejected(criteria({ a: ["ok"] }, { a: "bad" }));
  });

  test("what AWS accepts is accepted: five filters, a 4096-character pattern, every operator", () => {
    assert.ok(compileFilters(criteria(...Array.from({ length: 5 }, (_, i) => ({ a: [String(i)] })))));
    const exactly4096 = JSON.stringify({ a: ["x".repeat(4096 - '{"a":[""]}'.length)] });
    assert.equal(exactly4096.length, 4096);
    assert.ok(compileFilters(criteria(exactly4096)));
    assert.ok(
      compileFilters(
        criteria({
          a: ["s", 1, true, null, "", { prefix: "p" }, { suffix: "s" }, { "equals-ignore-case": "e" }, { prefix: { "equals-ignore-case": "p" } }],
          b: [{ "anything-but": ["x", "y"] }, { "anything-but": [1, 2] }, { "anything-but": "z" }, { "anything-but": 3 }, { numeric: [">=", 0, "<", 1] }, { exists: false }],
          c: { d: [{ numeric: ["=", 5] }] },
          $or: [{ e: ["1"] }, { f: { g: ["2"] } }],
        }),
      ),
    );
  });
});
