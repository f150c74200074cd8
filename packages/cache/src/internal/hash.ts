// 32-bit hashes of cache keys for the frequency sketch and ghost queues. Computed once per insert and
// kept per slot, so a hit never rehashes its key.

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0x9e3779b9;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Final avalanche of murmur3, so nearby integers spread over the whole table. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  // FNV-1a over pairs of UTF-16 units (half the multiplies), then a full avalanche.
  const n = s.length;
  let h = 0x811c9dc5 ^ n;
  let i = 0;
  for (; i + 1 < n; i += 2) h = Math.imul(h ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), 0x01000193);
  if (i < n) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** A well-mixed unsigned 32-bit hash of any key; object keys get a per-identity random id. */
export function hashKey(key: unknown): number {
  switch (typeof key) {
    case 'string':
      return hashString(key);
    case 'number':
      if ((key | 0) === key) return mix32(key);
      f64[0] = key;
      return mix32(u32[0]! ^ Math.imul(u32[1]!, 0x27d4eb2f));
    case 'bigint':
      return hashString(key.toString(36));
    case 'object':
    case 'function': {
      if (key === null) return 0x5bd1e995;
      let id = objectIds.get(key);
      if (id === undefined) {
        nextObjectId = Math.imul(nextObjectId + 0x6d2b79f5, 0x2c1b3c6d) >>> 0;
        id = nextObjectId;
        objectIds.set(key, id);
      }
      return id;
    }
    default:
      return hashString(String(key));
  }
}
