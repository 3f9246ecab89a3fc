/** DynamoDB Number semantics: what is accepted, how it reads back, how it orders and adds. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../../errors.js";
import { random, randomNumber } from "./numbers.fixture.js";
import { addNumbers, compareNumbers, normaliseNumber, OVERFLOW, subtractNumbers, TOO_PRECISE, UNDERFLOW } from "./numbers.js";

const rejects = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => e instanceof AwsError && e.code === "ValidationException" && e.message === message);

/** Reference value as a fraction numerator / 10^200, for checking order and sums independently. */
function exact(text: string): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text)!;
  const fraction = m[3] ?? "";
  const scale = 200 + Number(m[4] ?? 0) - fraction.length;
  const unscaled = BigInt((m[2] ?? "") + fraction || "0");
  const v = scale >= 0 ? unscaled * 10n ** BigInt(scale) : unscaled / 10n ** BigInt(-scale);
  return m[1] === "-" ? -v : v;
}

describe("DynamoDB numbers", () => {
  test("read back without superfluous zeros, exponent or sign", () => {
    const cases: [string, string][] = [
      ["01.50", "1.5"], ["-0", "0"], ["0.000", "0"], ["+0e99999", "0"], ["1e3", "1000"], ["1E+3", "1000"],
      ["+3", "3"], [".123", "0.123"], ["0001.23", "1.23"], ["1.", "1"], ["-17e5", "-1700000"], ["-7.1234", "-7.1234"],
      ["-17.4E37", "-174000000000000000000000000000000000000"], ["123.456e-2", "1.23456"], ["5e-3", "0.005"],
      ["100", "100"], ["-0.0010", "-0.001"], ["1e-130", `0.${"0".repeat(129)}1`], ["1e125", `1${"0".repeat(125)}`],
      ["31415926535897932384626433832795028841e30", `31415926535897932384626433832795028841${"0".repeat(30)}`],
      ["3.1415926535897932384626433832795028841", "3.1415926535897932384626433832795028841"],
      [`0.${"0".repeat(40)}12`, `0.${"0".repeat(40)}12`],
      [`1${"0".repeat(50)}`, `1${"0".repeat(50)}`],
    ];
    for (const [text, canonical] of cases) assert.equal(normaliseNumber(text), canonical, text);
  });

  test("text that is not a number is refused with AWS's message", () => {
    for (const text of ["NaN", "Infinity", "-Infinity", "dog", "-dog", " 1", "1 ", "1e", ".", "-", "+", "e5", "1..2", "0x10", "1,5", "1e5.5", "--1"]) {
      rejects(() => normaliseNumber(text), `The parameter cannot be converted to a numeric value: ${text}`);
    }
    rejects(() => normaliseNumber(""), "The parameter cannot be converted to a numeric value");
  });

  test("magnitudes from 1E-130 to 9.99…E+125 are accepted, beyond them overflow or underflow", () => {
    for (const text of ["1e125", "9.9999999999999999999999999999999999999E+125", "1e-130", "-1e-130", "-9.99e125", "0.1e-129"]) {
      normaliseNumber(text);
    }
    for (const text of ["1e126", "11e125", "-1e126", "1e99999999999999", `1${"0".repeat(126)}`]) rejects(() => normaliseNumber(text), OVERFLOW);
    for (const text of ["1e-131", "0.9e-130", "-1e-131", "1e-99999999999999"]) rejects(() => normaliseNumber(text), UNDERFLOW);
  });

  test("38 significant digits are accepted, 39 are not; leading and trailing zeros do not count", () => {
    normaliseNumber("12345678901234567890123456789012345678");
    normaliseNumber(`0.000${"1".repeat(38)}000`);
    for (const text of ["3.14159265358979323846264338327950288419", "314159265358979323846.264338327950288419", "314159265358979323846264338327950288419e30"]) {
      rejects(() => normaliseNumber(text), TOO_PRECISE);
    }
    // Magnitude is checked before precision.
    rejects(() => normaliseNumber(`${"1".repeat(39)}e100`), OVERFLOW);
  });

  test("compare by value", () => {
    assert.equal(compareNumbers("1", "1.0"), 0);
    assert.equal(compareNumbers("-0", "0"), 0);
    assert.ok(compareNumbers("-1", "0") < 0);
    assert.ok(compareNumbers("10", "9") > 0);
    assert.ok(compareNumbers("-10", "-9") < 0);
    assert.ok(compareNumbers("0.12", "0.115") > 0);
    assert.ok(compareNumbers("1e-130", "0") > 0);
    assert.ok(compareNumbers("-1e-130", "0") < 0);
  });

  test("comparison agrees with exact arithmetic over random numbers", () => {
    const next = random(7);
    for (let i = 0; i < 3000; i++) {
      const a = randomNumber(next);
      const b = next() < 0.1 ? a : randomNumber(next);
      const want = Math.sign(Number(exact(a) - exact(b) > 0n) - Number(exact(a) - exact(b) < 0n));
      assert.equal(Math.sign(compareNumbers(a, b)), want, `${a} vs ${b}`);
      assert.equal(Math.sign(compareNumbers(normaliseNumber(a), b)), want, `${a} (canonical) vs ${b}`);
    }
  });

  test("add and subtract exactly", () => {
    assert.equal(addNumbers("1", "10000000000000000000000"), "10000000000000000000001");
    assert.equal(subtractNumbers("10000000000000000000000", "1"), "9999999999999999999999");
    assert.equal(addNumbers("0.1", "0.2"), "0.3");
    assert.equal(addNumbers("-5", "5"), "0");
    assert.equal(subtractNumbers("1.5", "2.25"), "-0.75");
    assert.equal(addNumbers("1e-130", "1e-130"), `0.${"0".repeat(129)}2`);
    assert.equal(addNumbers("0", "-3.5"), "-3.5");
    assert.equal(subtractNumbers("0", "-3.5"), "3.5");
    assert.equal(addNumbers("99999999999999999999999999999999999999", "1"), `1${"0".repeat(38)}`);
  });

  test("a sum that does not fit is AWS's overflow error", () => {
    rejects(() => addNumbers("9e125", "9e125"), OVERFLOW);
    rejects(() => subtractNumbers("9e125", "-9e125"), OVERFLOW);
    // AWS reports a sum needing more than 38 digits as an overflow too.
    rejects(() => addNumbers("1e50", "1"), OVERFLOW);
    rejects(() => subtractNumbers("1e50", "1"), OVERFLOW);
    rejects(() => addNumbers("99999999999999999999999999999999999999", "0.1"), OVERFLOW);
  });

  test("random sums agree with exact arithmetic when they fit", () => {
    const next = random(11);
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const a = randomNumber(next);
      const b = randomNumber(next);
      let sum: string;
      try {
        sum = addNumbers(a, b);
      } catch (e) {
        assert.ok(e instanceof AwsError && e.message === OVERFLOW, `${a} + ${b}: ${String(e)}`);
        continue;
      }
      checked++;
      assert.equal(sum, normaliseNumber(sum), "a sum is canonical");
      // The reference is exact: every valid number's last digit lies above 10^-200.
      assert.equal(exact(sum), exact(a) + exact(b), `${a} + ${b}`);
      assert.equal(compareNumbers(subtractNumbers(sum, b), a), 0, `${sum} - ${b}`);
    }
    assert.ok(checked > 1000);
  });
});
