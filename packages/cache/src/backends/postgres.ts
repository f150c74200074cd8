export { PostgresStore } from './postgres-store.js';
export type { PgQueryable, PostgresStoreOptions } from './postgres-store.js';
