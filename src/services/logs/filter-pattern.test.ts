/**
 * Filter patterns against messages, as AWS's "Filter pattern syntax" page documents them: its
 * examples (the page's pattern, its sample events and whether each matches; some from the page's
 * earlier editions, where the current one agrees), then edges. Where an earlier edition disagrees
 * with the current one (`[w1=ERROR, w2]` on three words; `?` beside other terms), the current wins.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../../errors.js";
import { compileFilterPattern } from "./filter-pattern.js";

/** [pattern, message, matches] */
type Case = [string, string, boolean];

/** The JSON event of the page's JSON examples. */
const TRAIL = JSON.stringify({
  eventType: "UpdateTrail",
  sourceIPAddress: "111.111.111.111",
  arrayKey: ["value", "another value"],
  objectList: [{ name: "a", id: 1 }, { name: "b", id: 2 }],
  SomeObject: null,
  ThisFlag: true,
});
/** The JSON event of the page's compound-condition examples. */
const USERS = JSON.stringify({
  user: { id: 1, email: "John.Stiles@example.com" },
  users: [{ id: 2, email: "John.Doe@example.com" }, { id: 3, email: "Jane.Doe@example.com" }],
  actions: ["GET", "PUT", "DELETE"],
  coordinates: [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
});
/** The page's space-delimited event. */
const PROD_404 = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';
const APACHE_404 = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';
const APACHE_200 = '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355';
const APACHE_500 = '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324';

const CASES: Case[] = [
  // Unstructured events: terms.
  ["ERROR", "[ERROR 400] BAD REQUEST", true],
  ["ERROR", "[ERROR] A fatal exception has occurred", true],
  ["ERROR", "Exiting with ERRORCODE: -1", true],
  ["ERROR", "[WARN] all good", false],
  ["ERROR", "[error 400] bad request", false],
  ['"ERROR" -"Exiting"', "Exiting with ERRORCODE: -1", false],
  ['"ERROR" -"Exiting"', "[ERROR] A fatal exception has occurred", true],
  ["ERROR -Exiting", "Exiting with ERRORCODE: -1", false],
  ["ERROR Exception", "[ERROR] Caught IllegalArgumentException", true],
  ["ERROR Exception", "[ERROR] Unhandled Exception", true],
  ["ERROR Exception", "[ERROR] Unhandled", false],
  ["Failed to process the request", "[WARN] Failed to process the request", true],
  ["Failed to process the request", "[ERROR] Unable to continue: Failed to process the request", true],
  ["Failed to process the request", "the request to process Failed", true],
  ['"Failed to process the request"', "the request to process Failed", false],
  ['"INTERNAL SERVER ERROR"', "[ERROR 500] INTERNAL SERVER ERROR", true],
  ['"INTERNAL SERVER ERROR"', "[ERROR 500] INTERNAL ERROR", false],
  ["?ERROR ?WARN", "ERROR WARN message", true],
  ["?ERROR ?WARN", "ERROR message", true],
  ["?ERROR ?WARN", "WARN message", true],
  ["?ERROR ?WARN", "INFO message", false],
  ["ERROR WARN", "ERROR WARN message", true],
  ["ERROR WARN", "ERROR message", false],
  ["ERROR -WARN", "ERROR message", true],
  ["ERROR -WARN", "ERROR WARN message", false],
  ["ERROR ARGUMENTS", "[ERROR 419] MISSING ARGUMENTS", true],
  ["ERROR ARGUMENTS", "[ERROR 401] UNAUTHORIZED REQUEST", false],
  ["?ERROR ?ARGUMENTS", "[ERROR 400] BAD REQUEST", true],
  ["?ERROR ?ARGUMENTS", "[INFO 419] MISSING ARGUMENTS", true],
  // `?` terms next to other terms are ignored.
  ["?ERROR ?ARGUMENTS REQUEST", "[INFO] REQUEST FAILED", true],
  ["?ERROR ?ARGUMENTS REQUEST", "[ERROR] 400 BAD REQUEST", true],
  ["?ERROR ?ARGUMENTS REQUEST", "[ERROR 419] MISSING ARGUMENTS", false],
  ["?ERROR -REQUEST", "[INFO] all good", true],
  // The AWS CDK's anyTermGroup writes this for (ERROR and MainThread) or (WARN and Deadlock): AWS reads MainThread and Deadlock.
  ['?"ERROR" "MainThread" ?"WARN" "Deadlock"', "ERROR in MainThread", false],
  ['?"ERROR" "MainThread" ?"WARN" "Deadlock"', "MainThread Deadlock", true],
  ["", "anything at all", true],
  ['" "', "anything", true],
  // Regular expressions, with the operators the page lists.
  ["%^[hc]at%", "hat trick", true],
  ["%^[hc]at%", "a hat", false],
  ["%[hc]at$%", "the cat", true],
  ["%a{3,5}%", "baaaab", true],
  ["%^a{3,5}$%", "aa", false],
  ["%^a{,2}b%", "aab", true],
  ["%gra|ey%", "grey", true],
  ["%^starting|^initializing|^shutting down%", "shutting down now", true],
  ["%^starting|^initializing|^shutting down%", "skipping initializing ...", false],
  ["%\\[.\\]%", "value [7] here", true],
  ["%ab*c%", "ac", true],
  ["%ab+c%", "ac", false],
  ["%.at%", " at", true],
  ["%\\d%", "port 80", true],
  ["%\\D%", "80", false],
  ["%\\s%", "a\tb", true],
  ["%\\W%", "abc_123", false],
  ["%\\x3A%", "key:value", true],
  ["%\\x28%", "f(x)", true],
  ["%10\\.10\\.0\\.1%", "from 10.10.0.1", true],
  ["%10\\.10\\.0\\.1%", "10010,051", false],
  ["%10.10.0.1%", "10010,051", true],
  // Matched in one pass: nested repetition over a long text does not backtrack.
  ["%a*a*a*a*a*b%", "a".repeat(50_000), false],
  ["%a*a*a*a*a*b%", "a".repeat(50_000) + "b", true],
  ["%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", true],
  ["%AUTHORIZED%", "[SUCCESS 200] AUTHORIZED REQUEST", true],
  ["%AUTHORIZED%", "[SUCCESS 200] OK", false],
  ["%^ERROR [0-9]+%", "ERROR 42 things", true],
  ["%^ERROR [0-9]+%", "INFO ERROR 42", false],
  // JSON events.
  ["{ $.eventType = %Trail% }", TRAIL, true],
  ["{ $.arrayKey[*] = %val.{2}% }", TRAIL, true],
  ["{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }", TRAIL, true],
  ["{ $.* = %222% }", TRAIL, false],
  ["{ $.objectList[*].id = 2 }", TRAIL, true],
  ["{ $.objectList[*].id = 3 }", TRAIL, false],
  ['{ $.users[*].id = 2 || $.actions[*] = "GET" || $.coordinates[*][0] = 4 }', USERS, true],
  ["{ $.['cluster.name'] = \"c\" }", JSON.stringify({ "cluster.name": "c", cluster: { name: "d" } }), true],
  ["{ $.cluster.name = \"c\" }", JSON.stringify({ "cluster.name": "c", cluster: { name: "d" } }), false],
  ["{ $.bandwidth > 75 }", '{"bandwidth": 80}', true],
  ["{ $.bandwidth > 75 }", '{"bandwidth": 75}', false],
  ["{ $.latency < 50 }", '{"latency": 49.5}', true],
  ["{ $.refreshRate >= 60 }", '{"refreshRate": 60}', true],
  ["{ $.responseTime <= 5 }", '{"responseTime": 6}', false],
  ["{ $.number[0] = 1e+3 }", '{"number": [1000]}', true],
  ["{ $.number[0] != 1e-3 }", '{"number": [1000]}', true],
  ["{ $.errorCode = 4* }", '{"errorCode": 404}', true],
  ["{ $.flag = true }", '{"flag": true}', false],
  ["{ $.SomeObject = \"*\" }", TRAIL, false],
  ['{ $.eventType = "UpdateTrail" }', TRAIL, true],
  ['{ $.eventType = "CreateTrail" }', TRAIL, false],
  ["{ $.sourceIPAddress != 123.123.* }", TRAIL, true],
  ["{ $.sourceIPAddress = 111.111.* }", TRAIL, true],
  ['{ $.arrayKey[0] = "value" }', TRAIL, true],
  ['{ $.arrayKey[1] = "value" }', TRAIL, false],
  ["{ $.objectList[1].id = 2 }", TRAIL, true],
  ["{ $.objectList[0].id = 2 }", TRAIL, false],
  ["{ $.SomeObject IS NULL }", TRAIL, true],
  ["{ $.ThisFlag IS NULL }", TRAIL, false],
  ["{ $.SomeOtherObject NOT EXISTS }", TRAIL, true],
  ["{ $.SomeObject NOT EXISTS }", TRAIL, false],
  ["{ $.ThisFlag IS TRUE }", TRAIL, true],
  ["{ $.ThisFlag IS FALSE }", TRAIL, false],
  ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', USERS, true],
  ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', USERS, false],
  ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', USERS, true],
  ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', USERS, false],
  ["{ $.coordinates[2][0] = 7 }", USERS, true],
  // What the prefilter may require of a JSON event: a property's quoted name, an exact string's text,
  // only in characters no writer escapes (each matching case checks its mustContain keeps the event).
  ["{ $.latency > 100 }", '{"latency": 150}', true],
  ["{ $.latency > 100 }", '{"latency": 50, "note": "latency"}', false],
  ['{ $.path = "/a/b" }', '{"path":"\\/a\\/b"}', true],
  ['{ $.name = "caf\u00e9" }', '{"name":"caf\\u00e9"}', true],
  ['{ $.op = "a+b" }', '{"op":"a\\u002bb"}', true],
  ["{ $.['x/y'] = 1 }", '{"x\\/y":1}', true],
  ['{ $.code = "123" }', '{"code": 1.23e2}', true],
  ['{ $.size = "Infinity" }', '{"size": 1e400}', true],
  ["{ $.['a b'] = \"x y\" }", '{"a b": "x y"}', true],
  ['{ $.a.b[0] = "x-1" }', '{"a": {"b": ["x-1"]}}', true],
  ["{ $.a != 1 }", '{"b": 2, "a": 2}', true],
  ["{ $.a = 1 || $.b NOT EXISTS }", '{"c": 1}', true],
  ["{ $.a IS NULL || $.b IS FALSE }", '{"a": null}', true],
  ['{ ($.a = "x" || $.b > 1) && $.c IS TRUE }', '{"b": 2, "c": true}', true],
  ["{ $.users = 1 }", '{"users": [1, 2, 3]}', false],
  ["{ $.users != 1 }", '{"users": [1, 2, 3]}', false],
  ["{ $.foo = bar }", '{"foo": "bar"}', true],
  ["{ $.foo = baz }", '{"foo": "bar"}', false],
  ["{ $.foo = bar || $.foo = baz }", '{"foo": "baz"}', true],
  ["{ $.eventType = *Trail }", TRAIL, true],
  ['{ $.eventType = "Update*" }', TRAIL, true],
  ["{ $.latency >= 500 }", '{"latency": 500}', true],
  ["{ $.latency >= 500 }", '{"latency": 499.9}', false],
  ["{ $.latency > +1000 }", '{"latency": 1001}', true],
  ["{ $.numbers[0] < 10e3 }", '{"numbers": [9999]}', true],
  ["{ $.numbers[0] < 10e-3 }", '{"numbers": [0.01]}', false],
  ["{ $.processes[4].averageRuntime <= 55.5 }", '{"processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}]}', true],
  ["{ $.errorCode = 400 }", '{"errorCode": 400}', true],
  ["{ $.errorCode != 500 }", '{"errorCode": 400}', true],
  ["{ $.errorCode != 500 }", '{"errorCode": 500}', false],
  ["{ $.latency > 100 }", '{"latency": "150"}', true],
  ["{ $.latency > 100 }", '{"latency": "fast"}', false],
  ["{ $.latency = * }", '{"latency": 12}', true],
  ["{ $.latency = * }", '{"other": 12}', false],
  ['{ $.level = "ERROR" && $.latency > 100 }', '{"level": "ERROR", "latency": 101}', true],
  ['{ $.level = "ERROR" && $.latency > 100 }', '{"level": "ERROR", "latency": 100}', false],
  ['{ $.level = "ERROR" }', 'plain text with "level": "ERROR"', false],
  ["{ $.errorCode = %4[0-9]{2}% }", '{"errorCode": "404"}', true],
  ["{ $.errorCode = %4[0-9]{2}% }", '{"errorCode": "500"}', false],
  // Space-delimited events.
  ["[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", PROD_404, true],
  ["[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", PROD_404.replace("127.0.0.1", "127.0.0.0"), false],
  ["[..., request =*.html*, status_code = 4*, bytes]", PROD_404, true],
  ["[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]", PROD_404, true],
  ["[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]", PROD_404.replace(" 404 ", " 500 "), false],
  ["[w1=ERROR, w2]", "ERROR 09/25/2014 12:00:02 Failed to process request", true],
  ["[w1=ERROR, w2]", "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200", false],
  ["[w1=ERROR || w1=WARNING, w2]", "WARNING 09/25/2014 12:00:02 Invalid user request", true],
  ["[w1!=ERROR && w1!=WARNING, w2]", "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200", true],
  ["[w1!=ERROR && w1!=WARNING, w2]", "ERROR 09/25/2014 12:00:02 Failed to process request", false],
  ["[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200", true],
  ["[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310", false],
  ["[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]", "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310", true],
  ["[ip, user, username, timestamp, request, status_code, bytes]", APACHE_404, true],
  // Without `...` the last field takes the rest of the event; a field the event lacks fails.
  ["[ip, user, username, timestamp, request, status_code]", APACHE_404, true],
  ["[ip, user, username, timestamp, request, status_code = 404]", APACHE_404, false],
  ["[a, b, c, d, e, f, g, h]", APACHE_404, false],
  ["[a, b, c, d, e, f, g, h, ...]", APACHE_404, false],
  ["[]", APACHE_404, true],
  ["[..., status_code, bytes]", APACHE_404, true],
  ["[ip, user, ..., status_code, bytes]", APACHE_404, true],
  ["[ip, user, ...]", APACHE_404, true],
  ["[ip, user, username, timestamp, request, status_code, bytes > 1000]", APACHE_404, true],
  ["[ip, user, username, timestamp, request, status_code, bytes > 5000]", APACHE_404, false],
  ["[ip, user, username, timestamp, request, status_code = 200, bytes]", APACHE_200, true],
  ["[ip, user, username, timestamp, request, status_code = 200, bytes]", APACHE_404, false],
  ["[ip, user, username, timestamp, request, status_code = 4*, bytes]", APACHE_404, true],
  ["[ip, user, username, timestamp, request, status_code = 4*, bytes]", APACHE_500, false],
  ["[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", APACHE_404, true],
  ["[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", APACHE_200, false],
  ["[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]", APACHE_404, true],
  // An empty entry is an unnamed field (the page's extracted values show it as $7).
  ["[..., request=*.html*, status_code=4*,]", APACHE_404, true],
  ["[..., request=*.html*, status_code=4*, bytes]", APACHE_404, true],
  ['[ip, user, username, timestamp = "10/Oct/2000:13:25:15 -0700", ...]', APACHE_404, true],
  ["[w1=ERROR, w2]", "ERROR message", true],
  ["[w1=ERROR, w2]", "WARN message", false],
  ["[w1=ERROR || w1=WARN, w2]", "WARN message", true],
  ["[w1=ERROR || w1=WARN, w2]", "INFO message", false],
  ["[w1!=ERROR && w1!=WARN, w2]", "INFO message", true],
  ["[w1!=ERROR && w1!=WARN, w2]", "ERROR message", false],
  ["[ip, user, username, timestamp, request, status_code = %4[0-9]{2}%, bytes]", APACHE_404, true],
  ["[ip, user, username, timestamp, request =%.*\\.html%, status_code = %4[0-9]{2}%, bytes]", APACHE_404, true],

  // Beyond the page's examples: wildcards, quoting, types and shapes.
  ["{ $.name = *Event }", '{"name": "PutEvent"}', true],
  ["{ $.name = Event* }", '{"name": "EventName"}', true],
  ["{ $.name = Event* }", '{"name": "PutEvent"}', false],
  ['{ $.name = "Ev*ent" }', '{"name": "Ev*ent"}', true],
  ['{ $.name = "Ev*ent" }', '{"name": "EvXent"}', false],
  ["{ $.n = 1e3 }", '{"n": 1000}', true],
  ['{ $.id = "2" }', '{"id": 2}', true],
  ["{ $.a.b = 1 }", '{"a": [{"b": 1}]}', false],
  ['{ $.x != "a" }', '{"y": "a"}', false],
  ["{ $.flag IS TRUE }", '{"flag": "true"}', false],
  ["{ $.flag IS FALSE }", '{"flag": false}', true],
  ["{ $.a NOT EXISTS }", "not json at all", false],
  ["{ $.a NOT EXISTS }", "[1, 2]", false],
  ["{$.foo=bar}", '{"foo":"bar"}', true],
  ['{ $.level = "ERROR" }', '{\n  "level": "ERROR"\n}', true],
  ['{ $.dash-key_1 = "v" }', '{"dash-key_1": "v"}', true],
  ['{ ($.component = "HttpServer") && (($.error IS TRUE) || ($.latency > 1000)) }', '{"component": "HttpServer", "error": false, "latency": 1500}', true],
  ['{ ($.component = "HttpServer") && (($.error IS TRUE) || ($.latency > 1000)) }', '{"component": "HttpServer", "error": false, "latency": 15}', false],
  ['{ ($.latency = "*") && ($.message = %bind: address already in use%) }', '{"latency": 3, "message": "listen: bind: address already in use"}', true],
  ['[time, component = "HttpServer", ..., result_code != 200, latency]', "12:00 HttpServer GET /x 500 12", true],
  ['[time, component = "HttpServer", ..., result_code != 200, latency]', "12:00 HttpServer GET /x 200 12", false],
  ["[client-ip, ...]", "10.0.0.1 anything", true],
  ["[...]", "", true],
  ["[..., last]", "", false],
  ["[a, b > 5]", "x y", false],
  ["[a, b = 5]", "x 5.0", true],
  ['[w1, w2 = "message"]', "ERROR message", true],
  ["[a, b, c]", "one\ttwo three", true],
  ['[a, b = "say \\"hi\\" now"]', 'x "say \\"hi\\" now"', true],
  ["%[Ee]rror|[Ff]ail%", "Failure in step 2", true],
  ["%[Ee]rror|[Ff]ail%", "all good", false],
  ["%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", "request from 10.0.0.1", true],
  ["%colou?r%", "the color red", true],
  ['"ERROR" - "Exiting"', "Exiting with ERRORCODE: -1", false],
  ['"say \\"hi\\""', 'they say "hi" twice', true],
  ["ERROR", "error in lower case", false],
  ["  ERROR  ", "ERROR with spaces around the pattern", true],
];

describe("filter patterns", () => {
  for (const [pattern, message, expected] of CASES) {
    test(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(message.slice(0, 60))}`, () => {
      const compiled = compileFilterPattern(pattern);
      assert.equal(compiled.match(message), expected);
      // The prefilter never drops a message the pattern matches.
      if (expected) for (const group of compiled.mustContain) assert.ok(group.some((s) => message.includes(s)), `mustContain ${JSON.stringify(compiled.mustContain)}`);
    });
  }
});

describe("invalid filter patterns", () => {
  const INVALID = [
    "email@domain.com",
    '""',
    '"unterminated',
    "{ $.eventType = UpdateTrail",
    "{ eventType = UpdateTrail }",
    "{ $.latency > fast }",
    "{ $.a = 1 && }",
    "{ $.a IS MAYBE }",
    "{ ($.a = 1 }",
    "{ $.a = foo@bar }",
    "[ip, user",
    "[ip, status_code = ]",
    "[ip, bytes > 10, other > x]",
    // The page's `[…, status_code = 4* && bytes > 1000]`: a condition on another slot's field, which AWS refuses
    // (awsdocs/amazon-cloudwatch-logs-user-guide#21).
    "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]",
    "[w1=ERROR || w2=WARN, w2]",
    "%something!%",
    "%(a|b)%",
    "{ $.a = %a% || $.b = %b% || $.c = %c% }",
    "[a = %a%, b = %b%, c = %c%]",
    "[..., a, ...]",
    "{ $.a == 1 }",
    "{ }",
    "[a, b] trailing",
    '{ $.a > "5" }',
    "ERROR -",
    "%%",
    "%caf\u00e9%",
    "ERROR-CODE",
    "%\\p%",
    "%\\(ab\\)%",
    "%a{3,%",
    "%[abc%",
    "%a**%",
    "%a{5,2}%",
    "%^*%",
    "%a{,}%",
    "{ $.*[*] = \"a\" }",
    '{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }',
    "{ $[0] = 1 }",
    "{ $.a EXISTS }",
    "{ $.a IS NOT NULL }",
    "[a, a]",
    // More NFA states than one expression may take: each is another pass over every message.
    "%\\w{5000}\\d%",
    "%a{60}b{60}%",
  ];
  for (const pattern of INVALID) {
    test(`${JSON.stringify(pattern)} is InvalidParameterException "Invalid filter pattern"`, () => {
      assert.throws(() => compileFilterPattern(pattern), (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterException" && e.status === 400 && e.message === "Invalid filter pattern");
    });
  }
});

describe("prefilter substrings", () => {
  test("terms and phrases must all appear; alternatives make one group; exclusions none", () => {
    assert.deepEqual(compileFilterPattern('ERROR "bad thing" -DEBUG').mustContain, [["ERROR"], ["bad thing"]]);
    assert.deepEqual(compileFilterPattern("?ERROR ?WARN").mustContain, [["ERROR", "WARN"]]);
    assert.deepEqual(compileFilterPattern("").mustContain, []);
    assert.equal(compileFilterPattern("").matchesAll, true);
  });
  test("JSON and space-delimited string equalities are literal substrings, numbers and negations are not", () => {
    assert.deepEqual(compileFilterPattern('{ $.level = "ERROR" && $.latency > 100 }').mustContain, [["ERROR"], ['"level"'], ['"latency"']]);
    assert.deepEqual(compileFilterPattern("{ $.level = ERROR || $.level = WARN }").mustContain, [["ERROR", "WARN"]]);
    assert.deepEqual(compileFilterPattern("{ $.level != ERROR }").mustContain, []);
    assert.deepEqual(compileFilterPattern("[w1=ERROR, w2=4*]").mustContain, [["ERROR"]]);
  });
  test("a JSON condition that needs its property present requires the last plainly named step's quoted name; || makes alternatives", () => {
    const mustContain = (pattern: string) => compileFilterPattern(pattern).mustContain;
    assert.deepEqual(mustContain("{ $.latency > 100 }"), [['"latency"']]);
    assert.deepEqual(mustContain('{ $.a.b[0] = "x-1" }'), [["x-1"], ['"b"']]);
    assert.deepEqual(mustContain("{ $.a.['b.c'] = 1 }"), [['"a"']]);
    assert.deepEqual(mustContain("{ $.flag IS TRUE && $.n = 1 }"), [['"flag"'], ['"n"']]);
    assert.deepEqual(mustContain("{ $.a > 1 || $.b < 1 }"), [['"a"', '"b"']]);
    assert.deepEqual(mustContain('{ $.a = "x" || $.b > 1 }'), [["x", '"b"']]);
    assert.deepEqual(mustContain("{ $.* = 1 }"), []);
  });
  test("absence may satisfy !=, IS NULL and NOT EXISTS; escapable text and numbers' spellings are no literal", () => {
    const mustContain = (pattern: string) => compileFilterPattern(pattern).mustContain;
    for (const pattern of ["{ $.a != 1 }", "{ $.a IS NULL }", "{ $.a NOT EXISTS }", "{ $.a > 1 || $.b NOT EXISTS }", "{ $.['x/y'] = 1 }"]) assert.deepEqual(mustContain(pattern), [], pattern);
    assert.deepEqual(mustContain('{ $.path = "/a/b" }'), [['"path"']]);
    assert.deepEqual(mustContain('{ $.name = "caf\u00e9" }'), [['"name"']]);
    assert.deepEqual(mustContain('{ $.op = "a+b" }'), [['"op"']]);
    assert.deepEqual(mustContain('{ $.code = "123" }'), [['"code"']]);
    assert.deepEqual(mustContain('{ $.code = "1e-7" }'), [['"code"']]);
    assert.deepEqual(mustContain('{ $.code = "E123" }'), [["E123"], ['"code"']]);
  });
});
