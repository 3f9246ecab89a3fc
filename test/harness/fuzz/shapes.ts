/**
 * Whether an answer has the shape its client expects: REST-JSON (Lambda: a JSON body, and on an
 * error an `x-amzn-ErrorType` header and a message), AWS JSON 1.0 (`__type` and `message`), the
 * query protocol's XML (`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`, or
 * `<OperationResponse>…<ResponseMetadata><RequestId/>`).
 */
import type { HttpAnswer } from "../raw-http.js";
import type { Protocol } from "./operations.js";

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

/** A strict little XML reader: elements, attributes, text with the five entities; undefined unless well-formed. */
export function parseXml(text: string): XmlElement | undefined {
  let at = 0;
  const prolog = /^\s*<\?xml[^?]*\?>/.exec(text);
  if (prolog) at = prolog[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  while (at < text.length) {
    if (text[at] !== "<") {
      const end = text.indexOf("<", at);
      const chunk = text.slice(at, end < 0 ? text.length : end);
      if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(chunk)) return undefined;
      if (stack.length === 0) {
        if (chunk.trim()) return undefined;
      } else stack[stack.length - 1]!.text += chunk;
      at = end < 0 ? text.length : end;
      continue;
    }
    tag.lastIndex = at;
    const m = tag.exec(text);
    if (!m) return undefined;
    at = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (selfClosing || stack.pop()?.name !== name) return undefined;
      continue;
    }
    const el: XmlElement = { name: name!, children: [], text: "" };
    if (stack.length) stack[stack.length - 1]!.children.push(el);
    else if (root) return undefined;
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  return stack.length === 0 ? root : undefined;
}

const child = (el: XmlElement | undefined, name: string) => el?.children.find((c) => c.name === name);

function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString("utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const message = (body: Record<string, unknown>) => typeof body.message === "string" || typeof body.Message === "string";
const isError = (a: HttpAnswer) => a.status >= 400;

/** What is wrong with this answer for a client of `protocol`, or undefined. */
export function shapeProblem(protocol: Protocol, a: HttpAnswer): string | undefined {
  if (protocol === "rest-json") {
    if (!isError(a)) return a.body.length === 0 || safeJson(a.body) ? undefined : "a body that is not JSON";
    const body = jsonObject(a.body);
    if (!body) return "an error body that is not a JSON object";
    if (!a.headers["x-amzn-errortype"]) return "an error without an x-amzn-ErrorType header";
    return message(body) ? undefined : "an error without a message";
  }
  if (protocol === "json") {
    const body = jsonObject(a.body);
    if (!body) return isError(a) ? "an error body that is not a JSON object" : "a body that is not a JSON object";
    if (!isError(a)) return undefined;
    if (typeof body.__type !== "string") return "an error without __type";
    return message(body) ? undefined : "an error without a message";
  }
  const doc = parseXml(a.body.toString("utf8"));
  if (!doc) return "a body that is not well-formed XML";
  if (!isError(a)) return doc.name.endsWith("Response") && child(child(doc, "ResponseMetadata"), "RequestId") ? undefined : `<${doc.name}> without ResponseMetadata/RequestId`;
  if (doc.name !== "ErrorResponse") return `an error whose root is <${doc.name}>, not <ErrorResponse>`;
  const error = child(doc, "Error");
  if (!error || !["Type", "Code", "Message"].every((n) => child(error, n))) return "an <Error> without Type, Code and Message";
  if (!["Sender", "Receiver"].includes(child(error, "Type")!.text)) return `an error <Type> of ${JSON.stringify(child(error, "Type")!.text)}`;
  return child(doc, "RequestId") ? undefined : "an <ErrorResponse> without <RequestId>";
}

function safeJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

/** What an answer is, in a few words: `xml(InvalidAction)`, `json(com.amazonaws.sqs#QueueDoesNotExist)`, `rest-json(ResourceNotFoundException)`, `empty`. */
export function answerLabel(a: HttpAnswer): string {
  if (a.body.length === 0) return "empty";
  const body = jsonObject(a.body);
  if (body) {
    if (typeof body.__type === "string") return `json(${body.__type.replace(/^.*#/, "")})`;
    if (a.headers["x-amzn-errortype"]) return `rest-json(${a.headers["x-amzn-errortype"]})`;
    return "json";
  }
  const doc = parseXml(a.body.toString("utf8"));
  if (doc?.name === "ErrorResponse") return `xml(${child(child(doc, "Error"), "Code")?.text ?? "?"})`;
  if (doc) return `xml<${doc.name}>`;
  return "text";
}

/** An answer from the HTTP layer, refusing a message it could not parse: no body, and the connection closed. */
export const isTransportRefusal = (a: HttpAnswer) => [400, 408, 413, 417, 431].includes(a.status) && a.body.length === 0 && /close/i.test(a.headers.connection ?? "");
