import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, resolveConfig } from "./config.js";

test("defaults: 127.0.0.1:9000, ./.flint, us-east-1, account 000000000000, 10 minute keep-alive", () => {
  const c = resolveConfig([], {}, "/srv/app");
  assert.deepEqual(
    { host: c.host, port: c.port, dataDir: c.dataDir, region: c.region, accountId: c.accountId, idle: c.idleTimeoutMs, scale: c.timeScale },
    { host: "127.0.0.1", port: 9000, dataDir: "/srv/app/.flint", region: "us-east-1", accountId: "000000000000", idle: 600_000, scale: 1 },
  );
  assert.equal(c.rootAccessKeyId, undefined);
});

test("flags win over the environment", () => {
  const c = resolveConfig(["--port", "7000", "--host=0.0.0.0", "--data-dir", "data"], { FLINT_PORT: "8000", FLINT_HOST: "::1", FLINT_DATA_DIR: "/x" }, "/srv");
  assert.equal(c.port, 7000);
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.dataDir, "/srv/data");
  const e = resolveConfig([], { FLINT_PORT: "8000", FLINT_REGION: "eu-west-1", FLINT_ACCOUNT_ID: "123456789012", FLINT_IDLE_TIMEOUT: "2", FLINT_TIME_SCALE: "60" });
  assert.deepEqual([e.port, e.region, e.accountId, e.idleTimeoutMs, e.timeScale], [8000, "eu-west-1", "123456789012", 2000, 60]);
});

test("bad settings are refused with a message naming them", () => {
  assert.throws(() => resolveConfig(["--port", "99999"], {}), ConfigError);
  assert.throws(() => resolveConfig(["--nope"], {}), /unknown option '--nope'/);
  assert.throws(() => resolveConfig(["--port"], {}), /needs a value/);
  assert.throws(() => resolveConfig([], { FLINT_REGION: "mars" }), /FLINT_REGION/);
  assert.throws(() => resolveConfig([], { FLINT_ACCOUNT_ID: "12" }), /FLINT_ACCOUNT_ID/);
  assert.throws(() => resolveConfig([], { FLINT_ACCESS_KEY_ID: "AKIA" }), /both/);
  assert.throws(() => resolveConfig(["--time-scale", "0"], {}), /time scale/);
});
