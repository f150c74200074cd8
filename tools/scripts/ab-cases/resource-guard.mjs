// bench-ab.mjs case: the registry cases of packages/resource/bench/guard.bench.ts — a guard made and
// cleaned up in a loop (every guard stamps a creation time from the registry's cached clock; the async
// release also takes a deadline origin from it), and guards held across a macrotask (the clock's
// end-of-macrotask tick runs between batches). ns per guard round trip.
const make = (i) => ({ v: i, open: true });
const release = (r) => {
  r.open = false;
};
const releaseAsync = (r) => {
  r.open = false;
  return Promise.resolve();
};
const turn = () => new Promise((resolve) => setImmediate(resolve));

function roundTrip(name, registryOptions, cleanup) {
  return {
    name,
    ops: 1_000_000,
    warmup: 300_000,
    setup: (pkg) => ({ pkg, registry: new pkg.ResourceRegistry({ name: 'ab', ...registryOptions }), sink: 0 }),
    async batch(s, n) {
      const { pkg, registry } = s;
      let sink = 0;
      for (let i = 0; i < n; i += 1) {
        const g = pkg.guard(make(i), cleanup, { registry });
        sink += g.get().v;
        await g.cleanup();
      }
      s.sink += sink;
    },
    teardown: (s) => s.registry.shutdown(),
  };
}

export const cases = [
  roundTrip('guard + await cleanup (sync release)', {}, release),
  roundTrip('guard + await cleanup (sync release, trackLeaks: false)', { trackLeaks: false }, release),
  roundTrip('guard + await cleanup (async release, with timeout)', {}, releaseAsync),
  {
    name: 'guards held across a macrotask (WeakRef paid)',
    ops: 500_000,
    warmup: 200_000,
    setup: (pkg) => ({ pkg, registry: new pkg.ResourceRegistry({ name: 'ab' }) }),
    async batch(s, n) {
      const { pkg, registry } = s;
      for (let done = 0; done < n; done += 1000) {
        const held = [];
        for (let i = 0; i < 1000; i += 1) held.push(pkg.guard(make(i), release, { registry }));
        await turn();
        for (const g of held) await g.cleanup();
      }
    },
    teardown: (s) => s.registry.shutdown(),
  },
];
