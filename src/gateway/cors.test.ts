import { test } from "node:test";
import assert from "node:assert/strict";
import { isPreflight, preflightHeaders, withCors } from "./cors.js";

const CORS = { AllowOrigins: ["https://app.example"], AllowMethods: ["GET", "POST"], AllowHeaders: ["x-custom", "content-type"], ExposeHeaders: ["x-total"], MaxAge: 300, AllowCredentials: true };
const ask = { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-custom" };

test("a preflight is OPTIONS naming an origin and a method", () => {
  assert.equal(isPreflight("OPTIONS", ask), true);
  assert.equal(isPreflight("OPTIONS", { origin: "https://app.example" }), false);
  assert.equal(isPreflight("GET", ask), false);
});

test("an allowed origin's preflight gets every configured header", () => {
  assert.deepEqual(preflightHeaders(CORS, ask), {
    "Access-Control-Allow-Origin": "https://app.example",
    "Access-Control-Allow-Methods": "GET,POST",
    "Access-Control-Allow-Headers": "x-custom,content-type",
    "Access-Control-Max-Age": "300",
    "Access-Control-Allow-Credentials": "true",
  });
});

test("an origin not allowed gets no CORS header", () => {
  assert.deepEqual(preflightHeaders(CORS, { ...ask, origin: "https://evil.example" }), {});
  assert.deepEqual(withCors(CORS, "https://evil.example", { "access-control-allow-origin": "*", "x-a": "1" }), { "x-a": "1" });
});

test("a wildcard origin answers *, and wildcard methods and headers echo what was asked", () => {
  assert.deepEqual(preflightHeaders({ AllowOrigins: ["*"], AllowMethods: ["*"], AllowHeaders: ["*"] }, ask), {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "x-custom",
  });
});

test("configured headers replace the function's on a response", () => {
  const out = withCors(CORS, "https://app.example", { "access-control-allow-origin": "https://other", "Access-Control-Max-Age": "1", "set-cookie": ["a=1"] });
  assert.deepEqual(out, {
    "set-cookie": ["a=1"],
    "access-control-allow-origin": "https://app.example",
    "access-control-expose-headers": "x-total",
    "access-control-allow-credentials": "true",
  });
});
