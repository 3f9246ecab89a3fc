/**
 * HTTP APIs in the persistence boundary: each API is one record (its routes, integrations, stages
 * and deployments inside it), written whole when any part changes. APIs change rarely; the invoke
 * side reads them from the service's memory, never from here.
 */
import type { HttpApiRecord } from "../services/apigateway/http-api-model.js";

export interface HttpApiStore {
  listHttpApis(): Promise<HttpApiRecord[]>;
  /** Insert or replace the API `record.apiId`. */
  putHttpApi(record: HttpApiRecord): Promise<void>;
  deleteHttpApi(apiId: string): Promise<void>;
}
