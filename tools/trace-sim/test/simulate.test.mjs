// Replays a short synthetic trace: fast, and checks the parser and the replay loop against hand counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadTrace } from '../src/read-trace.mjs';
import { belady } from '../src/belady.mjs';
import { chartFileName, renderChart } from '../src/chart.mjs';
import { IMPLEMENTATIONS, OPTIMUM, requestKeys, simulate } from '../src/simulate.mjs';

const dir = mkdtempSync(join(tmpdir(), 'trace-sim-'));

test('parses lirs text (skipping * and blank lines) and arc ranges', async () => {
  const lirs = join(dir, 'a.trace.gz');
  writeFileSync(lirs, gzipSync('1\n2\n*\n\n1\n3\n'));
  const t = await loadTrace(lirs, 'lirs');
  assert.equal(t.requests, 4);
  assert.equal(t.unique, 3);
  assert.deepEqual([...t.ids], [0, 1, 0, 2]);
  assert.deepEqual(requestKeys(t), ['1', '2', '1', '3']);
  assert.deepEqual([...requestKeys(t, 'dense')], [0, 1, 0, 2]);
  const arc = join(dir, 'b.lis');
  writeFileSync(arc, '10 3 0 0\n11 1 0 1\n');
  const a = await loadTrace(arc, 'arc');
  assert.equal(a.requests, 4);
  assert.equal(a.unique, 3);
});

test('parses i32be, i64be and oracleGeneral records', async () => {
  const i32 = Buffer.alloc(12);
  [5, -1, 5].forEach((v, i) => i32.writeInt32BE(v, i * 4));
  writeFileSync(join(dir, 'c.bin'), i32);
  assert.equal((await loadTrace(join(dir, 'c.bin'), 'i32be')).unique, 2);
  const og = Buffer.alloc(48);
  og.writeBigUInt64LE(7n, 4);
  og.writeUInt32LE(100, 12);
  og.writeBigUInt64LE(7n, 28);
  og.writeUInt32LE(100, 36);
  writeFileSync(join(dir, 'd.bin'), og);
  const t = await loadTrace(join(dir, 'd.bin'), 'oracleGeneral');
  assert.deepEqual([...t.sizes], [100, 100]);
  assert.equal(simulate('lru', t, 150, true), 0.5);
  assert.equal(simulate('lru', t, 50, true), 0);
});

test('replays a loop through every implementation; LRU-family gets 0 on a loop larger than the cache', async () => {
  const keys = [];
  for (let r = 0; r < 50; r += 1) for (let k = 0; k < 20; k += 1) keys.push(k);
  const path = join(dir, 'loop.trace.gz');
  writeFileSync(path, gzipSync(keys.join('\n')));
  const trace = await loadTrace(path, 'lirs');
  for (const impl of IMPLEMENTATIONS) {
    const ratio = simulate(impl, trace, 10);
    assert.ok(ratio >= 0 && ratio <= 1, `${impl}: ${ratio}`);
    if (impl === 'lru' || impl === 'lru-cache' || impl === 'mnemonist') assert.equal(ratio, 0);
    if (impl !== OPTIMUM) assert.ok(ratio <= simulate(OPTIMUM, trace, 10) + 1e-12, `${impl} beats the optimum`);
  }
  assert.equal(simulate('lru', trace, 20), (1000 - 20) / 1000);
  assert.ok(simulate('tinylfu', trace, 10) > 0.2);
});

/** The optimum by brute force: every admit/evict choice explored (tiny traces only). */
function bruteOptimum(ids, capacity) {
  let best = 0;
  const walk = (i, cache, hits) => {
    if (i === ids.length) {
      best = Math.max(best, hits);
      return;
    }
    const k = ids[i];
    if (cache.has(k)) return walk(i + 1, cache, hits + 1);
    walk(i + 1, cache, hits);
    if (cache.size < capacity) return walk(i + 1, new Set([...cache, k]), hits);
    for (const v of cache) {
      const next = new Set(cache);
      next.delete(v);
      next.add(k);
      walk(i + 1, next, hits);
    }
  };
  walk(0, new Set(), 0);
  return best;
}

test("Belady's optimum matches a brute-force search on small random traces", () => {
  let seed = 3;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let round = 0; round < 40; round += 1) {
    const ids = Array.from({ length: 12 }, () => Math.floor(random() ** 1.5 * 6));
    const unique = new Set(ids).size;
    const dense = new Map();
    const denseIds = Int32Array.from(ids, (k) => (dense.has(k) ? dense.get(k) : (dense.set(k, dense.size), dense.size - 1)));
    const trace = { ids: denseIds, sizes: new Float64Array(ids.length).fill(1), requests: ids.length, unique };
    for (const capacity of [1, 2, 3]) {
      assert.equal(Math.round(belady(trace, capacity) * ids.length), bruteOptimum([...denseIds], capacity), `${ids} @ ${capacity}`);
    }
  }
});

test('Belady with byte sizes never admits an object larger than the cache', () => {
  const trace = { ids: Int32Array.from([0, 0, 1, 1]), sizes: Float64Array.from([10, 10, 100, 100]), requests: 4, unique: 2 };
  assert.equal(belady(trace, 50, true), 0.25);
  assert.equal(belady(trace, 200, true), 0.5);
});

test('renders one SVG chart with a line and a legend entry per implementation', () => {
  const svg = renderChart({
    title: 'demo <trace>',
    xLabel: 'capacity (entries)',
    impls: ['lru', OPTIMUM],
    rows: [
      { label: '10', values: { lru: 0.1, [OPTIMUM]: 0.3 } },
      { label: '20', values: { lru: 0.2, [OPTIMUM]: 0.4 } },
    ],
    highlight: 'lru',
  });
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<polyline /g).length, 2);
  assert.match(svg, /demo &lt;trace&gt;/);
  assert.equal(chartFileName('lirs/gli.trace.gz'), 'lirs-gli.svg');
  assert.equal(chartFileName('libcachesim/cloudPhysicsIO.oracleGeneral.bin'), 'libcachesim-cloudPhysicsIO.svg');
});
