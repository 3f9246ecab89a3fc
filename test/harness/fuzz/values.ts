/** Values the member mutations put where a valid one was: wrong types, numbers out of any range, bytes that are not UTF-8, sizes. */
import type { Json } from "./wire.js";

export const WRONG_TYPES: Json[] = [123, -1, 0.5, "str", "", true, false, null, [], {}, ["a", 1], { x: { y: [] } }];
export const ENORMOUS = ["1e400", "-1e400", "123456789012345678901234567890", "9007199254740993", "1.7976931348623157e309", "1" + "0".repeat(1000)];
export const NEGATIVE = ["-1", "-2147483649", "-0", "-9007199254740993", "-1.5"];
export const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]].map((b) => Buffer.from(b));
/** Sizes of long strings: mostly within the bodies' limits (4 MB for SQS and SNS, 6 MB for Lambda), some beyond. */
export const LONG = [1_000, 1_000, 100_000, 100_000, 1_000_000, 4_500_000];

export const longString = (n: number) => "A".repeat(n);
/** Bytes that are not UTF-8, between ASCII. */
export const utf8Junk = (bytes: Buffer) => Buffer.concat([Buffer.from("fuzz"), bytes, Buffer.from("fuzz")]);
