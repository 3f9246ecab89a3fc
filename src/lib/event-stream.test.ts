import { test } from "node:test";
import assert from "node:assert/strict";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { event, eventParts } from "./event-stream.js";

// The AWS SDK's own decoder reads what Flint frames.
const codec = new EventStreamCodec(toUtf8, fromUtf8);

test("an event message decodes with the AWS SDK's codec: headers, payload, both CRCs", () => {
  const payload = Buffer.from("héllo, stream");
  const decoded = codec.decode(event("PayloadChunk", "application/octet-stream", payload));
  assert.deepEqual(Buffer.from(decoded.body), payload);
  assert.deepEqual(decoded.headers, {
    ":event-type": { type: "string", value: "PayloadChunk" },
    ":content-type": { type: "string", value: "application/octet-stream" },
    ":message-type": { type: "string", value: "event" },
  });
});

test("an empty payload and a large one frame as well", () => {
  assert.equal(codec.decode(event("InvokeComplete", "application/json", Buffer.alloc(0))).body.length, 0);
  const big = Buffer.alloc(1 << 20, 7);
  assert.equal(Buffer.compare(Buffer.from(codec.decode(event("PayloadChunk", "application/octet-stream", big)).body), big), 0);
});

test("the parts of a message are the message: the payload is carried, not copied", () => {
  const payload = Buffer.from("x".repeat(1000));
  const parts = eventParts("PayloadChunk", "application/octet-stream", payload);
  assert.equal(parts[1], payload);
  assert.deepEqual(Buffer.concat(parts), event("PayloadChunk", "application/octet-stream", payload));
  assert.equal(Buffer.from(codec.decode(Buffer.concat(parts)).body).toString(), "x".repeat(1000));
});
