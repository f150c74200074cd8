// Wiring live configuration into components: a LayeredConfig (defaults → file → env vars → runtime
// overrides) whose changes resize a Pool and retune a Cache, with a gradual rollout read from the same
// configuration and counters in a SharedMap. A refused change (an invalid env var, a bad override)
// leaves both components as they were.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cache } from '@patinox/cache';
import { isPatinoxError } from '@patinox/errors';
import { Pool } from '@patinox/pool';
import { LayeredConfig, Rollout, SharedMap, rolloutIssues } from '@patinox/shared';

const dir = mkdtempSync(join(tmpdir(), 'patinox-wiring-'));
writeFileSync(join(dir, 'config.json'), JSON.stringify({ pool: { maxSize: 4 }, cache: { ttlMs: 30_000 } }));
const env = { APP_POOL__MAX_SIZE: '6' };

const config = new LayeredConfig({
  name: 'service',
  layers: [
    { name: 'defaults', values: { pool: { maxSize: 2 }, cache: { maxEntries: 100, ttlMs: 60_000 }, rollouts: { 'fast-path': { percent: 0 } } } },
    { name: 'file', file: join(dir, 'config.json') },
    { name: 'env', prefix: 'APP_', env },
  ],
  validate: (c) => [
    ...(Number.isInteger(c.pool.maxSize) && c.pool.maxSize > 0 ? [] : [`pool.maxSize must be a positive integer, got ${c.pool.maxSize}`]),
    ...(c.cache.maxEntries > 0 ? [] : ['cache.maxEntries must be > 0']),
    ...rolloutIssues(c.rollouts),
  ],
});
const explain = (path) => {
  const e = config.explain(path);
  return `${path} = ${JSON.stringify(e.value)} from ${e.layer}${e.source === undefined ? '' : ` (${e.source.startsWith(dir) ? e.source.slice(dir.length + 1) : e.source})`}`;
};
console.log(explain('pool.maxSize'));
console.log(explain('cache.ttlMs'));

// Pool: resize({ maxSize }) exists, so a subscription is all the wiring it needs.
let opened = 0;
const manager = { create: async () => ({ id: (opened += 1) }), isValid: () => true, destroy: () => {} };
const pool = new Pool(manager, { name: 'db', maxSize: config.get().pool.maxSize });

// Cache: resize(maxEntries) and setDefaultTtl(ms) change a live cache; entries keep the TTL they were
// set with.
const cache = new Cache({ maxEntries: config.get().cache.maxEntries, defaultTtlMs: config.get().cache.ttlMs });
const cacheSet = (key, value) => cache.set(key, value);

config.subscribe((c) => {
  pool.resize({ maxSize: c.pool.maxSize });
  cache.resize(c.cache.maxEntries);
  cache.setDefaultTtl(c.cache.ttlMs);
});

// The TTL an entry got, to the second (what is left of it, rounded up).
const ttlOf = (key) => `${Math.ceil(cache.remainingTtl(key) / 1000)} s`;
const report = (label) => console.log(`${label}: pool maxSize ${pool.stats().maxSize}, cache maxEntries ${cache.maxEntries} (${cache.size} entries), ttlMs ${config.get().cache.ttlMs}, v${config.version}`);
report('start');

cacheSet('user:1', { name: 'Ada' });
config.set('pool.maxSize', 8);
config.set('cache.maxEntries', 500);
config.set('cache.ttlMs', 5000);
cacheSet('user:2', { name: 'Grace' });
report('after overrides');
console.log(`cache TTLs: user:1 ${ttlOf('user:1')} (set under ttlMs 30000), user:2 ${ttlOf('user:2')} (set under ttlMs 5000)`);

for (const [label, change] of [
  ['override pool.maxSize = 0', () => config.set('pool.maxSize', 0)],
  ['env APP_POOL__MAX_SIZE = "many"', () => ((env.APP_POOL__MAX_SIZE = 'many'), config.reload())],
]) {
  try {
    change();
  } catch (error) {
    if (!isPatinoxError(error)) throw error;
    console.log(`refused ${label}: ${error.code}`);
  }
}
report('after refused changes');

// A gradual rollout from the same config; a SharedMap counts which path each request took (workers
// would attach to it with SharedMap.from(counts.handle) and the config with ConfigReplica.from).
const flags = new Rollout(config, (c) => c.rollouts);
const counts = SharedMap.create({ capacity: 16, name: 'paths' });
const serve = () => {
  for (let i = 0; i < 1000; i += 1) counts.update(flags.isEnabled('fast-path', `req-${i}`) ? 'fast' : 'slow', (n = 0) => n + 1);
};
serve();
config.set('rollouts.fast-path.percent', 25);
serve();
console.log(`rollout: fast ${counts.get('fast') ?? 0}, slow ${counts.get('slow')} of 2000 requests`);
console.log(explain('rollouts.fast-path.percent'));

await pool.close();
cache.close();
config.close();
rmSync(dir, { recursive: true, force: true });
