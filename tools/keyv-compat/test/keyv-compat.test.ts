import keyvTestSuite from '@keyv/test-suite';
import Keyv from 'keyv';
import * as test from 'vitest';
import { Cache, MemoryBackend, TieredCache } from '@patinox/cache';
import { KeyvStore } from '@patinox/cache/keyv';

// Keyv's own compliance suite, unchanged, against the adapter over both targets. The suite builds a
// Keyv per store() call and expects stores of one target to share data (namespaces, clear), so each
// target is one cache with a fresh KeyvStore per call.

test.describe('@keyv/test-suite: KeyvStore over an in-process Cache', () => {
  const cache = new Cache<string, unknown>({ maxEntries: 10_000 });
  keyvTestSuite(test, Keyv, () => new KeyvStore(cache));
});

test.describe('@keyv/test-suite: KeyvStore over a TieredCache (memory L2)', () => {
  const cache = new TieredCache<unknown>({ l2: new MemoryBackend(), namespace: 'keyv-compat' });
  keyvTestSuite(test, Keyv, () => new KeyvStore(cache));
});
