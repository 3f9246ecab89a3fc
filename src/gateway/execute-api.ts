/**
 * `*.execute-api.*`: REST APIs and HTTP APIs share the invoke host, and an API id belongs to one of
 * them. The one that knows the id answers; an unknown id gets API Gateway's 403 for a host with no API.
 */
import type { BodyBudget } from "../lib/body-budget.js";
import type { Exchange } from "../lib/http-server.js";
import type { TriggerAddress } from "./address.js";
import type { HttpTrigger } from "./trigger.js";

/** An API Gateway flavour's invoke side: whether an API id is one of its own. */
export interface ApiTrigger extends HttpTrigger {
  owns(apiId: string): boolean;
}

export class ExecuteApiTrigger implements HttpTrigger {
  constructor(private readonly flavours: readonly ApiTrigger[]) {}

  serve(exchange: Exchange, address: TriggerAddress, rawQuery: string, budget: BodyBudget): Promise<void> {
    const owner = this.flavours.find((f) => f.owns(address.id));
    if (owner) return owner.serve(exchange, address, rawQuery, budget);
    exchange.response.send(403, { "Content-Type": "application/json", "x-amzn-ErrorType": "ForbiddenException" }, JSON.stringify({ message: "Forbidden" }));
    return Promise.resolve();
  }
}
