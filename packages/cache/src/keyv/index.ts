export { CACHE_KEYV_INVALID_NAMESPACE, KeyvNamespaceError } from './errors.js';
export { KeyvStore, createKeyvStore } from './keyv-store.js';
export type { KeyvStoreTarget } from './keyv-store.js';
