/** The contract of the REST API part: one record per API id. */
import type { RestApiRecord } from "../../services/apigateway/model.js";
import type { FreshStore } from "./index.js";
import { recordsContract } from "./records.js";

export function restApisContract(fresh: FreshStore): void {
  recordsContract("rest apis", fresh, {
    list: (s) => s.restApis.listRestApis(),
    put: (s, id, v) => s.restApis.putRestApi({ id, name: "api", createdDate: v } as RestApiRecord),
    delete: (s, id) => s.restApis.deleteRestApi(id),
    read: (r) => ({ id: r.id, version: r.createdDate }),
    ids: ["k2", "K1", "a9"],
    listed: ["K1", "a9", "k2"],
  });
}
