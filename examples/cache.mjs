// @patinox/cache: a user-profile cache in front of a slow lookup, with one load per key however many
// requests ask at once, TTLs, tag invalidation, and a two-tier setup where two instances share a tier.
import { Cache, MemoryBackend, MemoryBus, TieredCache, jsonCodec } from '@patinox/cache';

let dbCalls = 0;
async function loadUser(id) {
  dbCalls += 1;
  await new Promise((resolve) => setTimeout(resolve, 20)); // a slow query
  return { id, name: `user ${id}`, team: Number(id.slice(5)) % 2 === 0 ? 'red' : 'blue' };
}

const users = new Cache({ maxEntries: 1_000, defaultTtlMs: 60_000 });
const load = (key) => users.getOrLoad(key, loadUser, { tags: [`team:${Number(key.slice(5)) % 2 === 0 ? 'red' : 'blue'}`] });

// 50 concurrent requests for the same two users: two database calls, not fifty.
await Promise.all(Array.from({ length: 50 }, (_, i) => load(`user:${i % 2}`)));
console.log(`50 concurrent requests, ${dbCalls} database calls`);
await load('user:0');
await load('user:3');
const stats = users.stats();
console.log(`hits ${stats.hits}, misses ${stats.misses}, entries ${users.size}, policy ${users.evictionPolicy}`);
console.log(`invalidated team:red -> removed ${users.invalidateTag('team:red')}, entries ${users.size}`);
users.close();

// Two service instances: each has its own in-process L1, both share an L2 (Redis in production; here an
// in-memory backend) and an invalidation bus, so a write on one drops the stale L1 copy on the other.
const l2 = new MemoryBackend();
const bus = new MemoryBus();
const a = new TieredCache({ l2, bus, namespace: 'profiles', serializer: { codec: jsonCodec } });
const b = new TieredCache({ l2, bus, namespace: 'profiles', serializer: { codec: jsonCodec } });
await a.set('user:7', { name: 'Ada' });
console.log('b reads', (await b.get('user:7')).name); // from L2, now also in b's L1
await a.set('user:7', { name: 'Ada Lovelace' });
await new Promise((resolve) => setTimeout(resolve, 10)); // the invalidation travels over the bus
console.log('b reads', (await b.get('user:7')).name);
console.log(`bus: a published ${a.stats().bus.published}, b received ${b.stats().bus.received}`);
await b.close();
await a.close();
