// Replays a short synthetic trace: fast, and checks the parser and the replay loop against hand counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadTrace } from '../src/read-trace.mjs';
import { IMPLEMENTATIONS, simulate } from '../src/simulate.mjs';

const dir = mkdtempSync(join(tmpdir(), 'trace-sim-'));

test('parses lirs text (skipping * and blank lines) and arc ranges', async () => {
  const lirs = join(dir, 'a.trace.gz');
  writeFileSync(lirs, gzipSync('1\n2\n*\n\n1\n3\n'));
  const t = await loadTrace(lirs, 'lirs');
  assert.equal(t.requests, 4);
  assert.equal(t.unique, 3);
  assert.deepEqual([...t.keys], [0, 1, 0, 2]);
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
  }
  assert.equal(simulate('lru', trace, 20), (1000 - 20) / 1000);
  assert.ok(simulate('tinylfu', trace, 10) > 0.2);
});
