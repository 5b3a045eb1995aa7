export {
  LeaseLostError,
  PoolExhaustedError,
  PostgresStoreError,
  RuntimeLostError,
  SessionLeasedError,
  type LeaseHolder,
  type PostgresStoreErrorCode,
} from "./errors.js";
export { maskConnectionString, type PostgresConnectionOptions } from "./connection.js";
export { SCHEMA_VERSION, migrate, schemaStatements, type MigrateResult } from "./migrate.js";
export { PostgresSessionStore, type PostgresSessionStoreOptions, type StoredSession } from "./session-store.js";
export { RuntimePool, type PoolRuntimeInfo, type RuntimePoolOptions } from "./runtime-pool.js";
export { PooledSession } from "./pooled-session.js";
