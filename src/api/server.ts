/**
 * The one listener. Picks the service (Flint's own `/_flint/` endpoints, or an AWS service by its
 * route), bounds and buffers the body, verifies SigV4, then hands a typed request to the protocol
 * handler. It only parses and renders.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { createReadStream } from "node:fs";
import type { AddressInfo } from "node:net";
import { AwsError, awsError } from "../errors.js";
import { type ApiRequest, newRequestId, parseQuery, readBody, send, sendJson } from "./http.js";
import { matchLambdaRoute, tooLarge, type LambdaApiDeps } from "./lambda/routes.js";
import { renderRestJsonError } from "./render-error.js";
import { SigV4Verifier } from "./sigv4.js";

export interface HealthReport {
  status: "ok";
  [key: string]: unknown;
}

export interface ApiServerDeps extends LambdaApiDeps {
  verifier: SigV4Verifier;
  health(): Promise<HealthReport>;
}

const CODE_PATH = /^\/_flint\/code\/([0-9a-f]{64})\.zip$/;

export class ApiServer {
  private readonly server: http.Server;

  constructor(private readonly deps: ApiServerDeps) {
    this.server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
      this.handle(req, res).catch((err) => {
        console.error("flint: request failed:", err);
        if (!res.headersSent) renderRestJsonError(res, newRequestId(), err);
        else res.destroy();
      });
    });
    // A client that never finishes its headers must not hold a socket forever.
    this.server.headersTimeout = 60_000;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const qi = url.indexOf("?");
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
    const requestId = newRequestId();
    const method = req.method ?? "GET";

    if (rawPath.startsWith("/_flint/")) return this.internal(req, res, method, rawPath, rawQuery, requestId);

    let matched;
    try {
      matched = matchLambdaRoute(method, rawPath);
    } catch (err) {
      return renderRestJsonError(res, requestId, err);
    }
    if (!matched) {
      req.resume();
      return renderRestJsonError(res, requestId, awsError("UnknownOperationException", `No operation matches ${method} ${rawPath}`));
    }
    const query = parseQuery(rawQuery);
    try {
      this.deps.verifier.precheck({ headers: req.headers, query });
    } catch (err) {
      // Refused on its head: the body is never read, so the connection cannot be reused.
      res.setHeader("Connection", "close");
      return renderRestJsonError(res, requestId, err);
    }
    const body = await readBody(req, matched.route.maxBody);
    if (!body.ok) return renderRestJsonError(res, requestId, tooLarge(matched.route.operation, matched.route.maxBody));
    const apiReq: ApiRequest = { method, rawPath, rawQuery, query, headers: req.headers, body: body.body, requestId };
    try {
      const verified = await this.deps.verifier.verify(apiReq, req.headers.host ?? "");
      apiReq.principal = verified.principal;
      await matched.route.handler(this.deps, apiReq, res, matched.params);
    } catch (err) {
      if (res.headersSent) throw err;
      renderRestJsonError(res, requestId, err);
    }
  }

  private async internal(req: IncomingMessage, res: ServerResponse, method: string, rawPath: string, rawQuery: string, requestId: string): Promise<void> {
    req.resume();
    if (method === "GET" && rawPath === "/_flint/health") return sendJson(res, requestId, 200, await this.deps.health());
    const code = CODE_PATH.exec(rawPath);
    if (method === "GET" && code) {
      try {
        const query = parseQuery(rawQuery);
        await this.deps.verifier.verify({ method, rawPath, query, headers: req.headers, body: Buffer.alloc(0) }, req.headers.host ?? "");
        const file = await this.deps.lambda.codeZipPath(code[1]!);
        if (!file) throw awsError("ResourceNotFoundException", "The code package no longer exists.");
        res.writeHead(200, { "Content-Type": "application/zip", "x-amzn-RequestId": requestId });
        createReadStream(file).on("error", () => res.destroy()).pipe(res);
      } catch (err) {
        renderRestJsonError(res, requestId, err instanceof AwsError ? err : err);
      }
      return;
    }
    send(res, 404, { "Content-Type": "application/json" }, JSON.stringify({ message: `No Flint endpoint at ${method} ${rawPath}` }));
  }
}
