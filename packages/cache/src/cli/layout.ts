import { MemoryBackend } from '../backends/memory-backend.js';
import { jsonCodec } from '../serialization/codec.js';
import { Serializer } from '../serialization/serializer.js';
import { TieredCache } from '../tiered/tiered-cache.js';

/** Where a namespace keeps an entry and a tag set in L2. */
export interface KeyLayout {
  /** L2 key of entry `key`. */
  entryKey(key: string): string;
  /** L2 key of the member set of `tag`. */
  tagKey(tag: string): string;
}

const PROBE_KEY = 'patinox-cli-probe-key';
const PROBE_TAG = 'patinox-cli-probe-tag';

/**
 * Learns the namespace's key layout from `TieredCache` itself: one tagged write into a throwaway
 * in-memory backend shows which L2 keys the tier uses. The tier owns its layout (and has changed it);
 * the CLI only needs it for what the tier's API does not answer: remaining TTLs, raw bytes and tag
 * members for `--dry-run`.
 */
export async function probeLayout(namespace: string): Promise<KeyLayout> {
  const memory = new MemoryBackend();
  const tier = new TieredCache({ l2: memory, namespace, l1: false, bus: false, circuitBreaker: false, serializer: new Serializer({ codec: jsonCodec }) });
  try {
    await tier.set(PROBE_KEY, 0, { tags: [PROBE_TAG] });
    const keys: string[] = [];
    for await (const batch of memory.scan('*', 100)) keys.push(...batch);
    const entry = keys.find((k) => k.endsWith(PROBE_KEY));
    const tag = keys.find((k) => k.endsWith(PROBE_TAG));
    if (entry === undefined || tag === undefined) throw new Error(`cannot tell the key layout of namespace ${namespace} (saw ${keys.join(', ')})`);
    const entryPrefix = entry.slice(0, -PROBE_KEY.length);
    const tagPrefix = tag.slice(0, -PROBE_TAG.length);
    return { entryKey: (key) => entryPrefix + key, tagKey: (name) => tagPrefix + name };
  } finally {
    await tier.close();
  }
}
