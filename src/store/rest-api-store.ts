/**
 * API Gateway REST APIs as stored: one record per API (its resources, methods, integrations,
 * deployments and stages), small and changed as a whole.
 */
import type { RestApiRecord } from "../services/apigateway/model.js";

export interface RestApiStore {
  listRestApis(): Promise<RestApiRecord[]>;
  /** Insert or replace. */
  putRestApi(record: RestApiRecord): Promise<void>;
  deleteRestApi(id: string): Promise<void>;
}
