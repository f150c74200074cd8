import { CACHE_KEYV_INVALID_NAMESPACE, CacheError } from '../errors.js';

export { CACHE_KEYV_INVALID_NAMESPACE };

/**
 * Keyv (or the caller) gave the store a namespace our keys refuse: not a string, empty, longer than
 * 256 characters, not well-formed UTF-16 (a lone surrogate), or holding a control character. Thrown
 * synchronously when the namespace is assigned, so `new Keyv({ store, namespace })` fails at once.
 * Recovery: `fail` (pick another namespace).
 */
export class KeyvNamespaceError extends CacheError {
  constructor(message: string, namespace: unknown) {
    super(message, CACHE_KEYV_INVALID_NAMESPACE, { context: { namespace: typeof namespace === 'string' ? namespace : String(namespace) } });
  }
}
