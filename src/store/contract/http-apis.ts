/** The contract of the HTTP API part: one record per API id. */
import type { HttpApiRecord } from "../../services/apigateway/http-api-model.js";
import type { FreshStore } from "./index.js";
import { recordsContract } from "./records.js";

export function httpApisContract(fresh: FreshStore): void {
  recordsContract("http apis", fresh, {
    list: (s) => s.httpApis.listHttpApis(),
    put: (s, apiId, v) => s.httpApis.putHttpApi({ apiId, name: "api", createdDate: v } as HttpApiRecord),
    delete: (s, apiId) => s.httpApis.deleteHttpApi(apiId),
    read: (r) => ({ id: r.apiId, version: r.createdDate }),
    ids: ["k2", "K1", "a9"],
    listed: ["K1", "a9", "k2"],
  });
}
