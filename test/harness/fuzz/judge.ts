/**
 * What one exchange shows: the findings (a 5xx, a hang, a connection closed without an answer,
 * an answer in the wrong protocol's shape, a request accepted that must be refused, a pipelined
 * request lost), each with the class it is counted under.
 */
import type { Exchanged, HttpAnswer } from "../raw-http.js";
import { describe } from "./mutation.js";
import { label } from "./operations.js";
import type { Built, FuzzRequest } from "./requests.js";
import { answerLabel, isTransportRefusal, shapeProblem } from "./shapes.js";

export interface Finding {
  /** The failure class: requests with the same key fail the same way. */
  key: string;
  /** This request's failure, in a sentence. */
  what: string;
}

function shape(built: Built, a: HttpAnswer): string | undefined {
  const problems = built.expected.map((p) => shapeProblem(p, a));
  return problems.some((p) => p === undefined) ? undefined : problems.join("; ");
}

const closes = (a: HttpAnswer) => /close/i.test(a.headers.connection ?? "");

export function judge(req: FuzzRequest, built: Built, ex: Exchanged): Finding[] {
  const service = label(req.op).split(" ")[0];
  const transport = built.oversizedHead || built.applied.some((m) => m.transport);
  const expected = built.expected.join(" or ");
  const findings: Finding[] = [];
  const add = (key: string, what: string) => findings.push({ key, what });
  const [first, second] = ex.answers;
  if (!first) {
    if (ex.ending === "timeout") add(`hang | ${service}`, "no answer, and the connection still open when the wait ended");
    else if (!transport) add(`no answer | ${service} | ${ex.ending}`, `the connection was ${ex.ending === "reset" ? "reset" : "closed"} without an answer to a well-framed request`);
    return findings;
  }
  const got = `${first.status} ${answerLabel(first)}`;
  if (first.status >= 500) add(`5xx | ${service} | ${got}`, `answered ${got}`);
  if (isTransportRefusal(first)) {
    if (!transport) add(`http-layer refusal | ${service} | ${first.status}`, `the HTTP layer refused a well-formed request with ${first.status}`);
  } else if (!/^HEAD /.test(built.wire.requestLine)) {
    const problem = shape(built, first);
    // One class per protocol answered (xml, rest-json, json…), whatever its status and code: the examples show those.
    if (problem) add(`wrong protocol | ${service} | ${expected} client got ${answerLabel(first).replace(/[(<].*$/, "")}`, `a ${expected} client got ${problem}`);
  }
  if (first.status >= 200 && first.status < 300) {
    const refusing = built.applied.filter((m) => m.refuses);
    if (refusing.length) add(`accepted | ${service} | ${refusing.map((m) => m.name).join(" + ")}`, `answered ${first.status} despite ${refusing.map(describe).join(" and ")}`);
    else if (req.op.mutates) add(`accepted | ${service} | ${req.op.name} of nothing`, `a ${req.op.name} of a resource that does not exist (or of an invalid name) answered ${first.status}: it may have changed state`);
    else if (req.op.unimplemented) add(`accepted | ${service} | unimplemented`, `an operation of a service Flint does not implement answered ${first.status}`);
  }
  if (built.pipelined && !closes(first)) {
    if (!second) {
      if (ex.ending === "timeout") add(`hang | pipelined`, "the request pipelined behind it got no answer, and the connection stayed open");
      else if (!transport) add(`pipelined | closed`, `the connection was ${ex.ending} before the request pipelined behind it was answered, though the first answer kept it open`);
    } else if (second.status >= 500) add(`5xx | pipelined | ${second.status} ${answerLabel(second)}`, `the pipelined GetAccountSettings got ${second.status}`);
    else if (!transport && (second.status !== 200 || !/"AccountLimit"/.test(second.body.toString()))) {
      add(`pipelined | ${second.status} ${answerLabel(second)}`, `the pipelined GetAccountSettings got ${second.status} ${answerLabel(second)}`);
    }
  }
  return findings;
}
