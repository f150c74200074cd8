// The window study's replay loop against trace-sim's own replay through the cache, on synthetic traces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadTrace } from '../src/read-trace.mjs';
import { DEFAULT_EVICTION_POLICY, simulate } from '../src/simulate.mjs';
import { CONTENDERS, studyPoint, WINDOWS } from '../src/window-study.mjs';

const dir = mkdtempSync(join(tmpdir(), 'window-study-'));

async function traceOf(name, keys) {
  const path = join(dir, `${name}.trace.gz`);
  writeFileSync(path, gzipSync(keys.join('\n')));
  return loadTrace(path, 'lirs');
}

/** A skewed trace whose hot set drifts: deterministic (xorshift), 20,000 requests over about 2,000 keys. */
function drifting() {
  let x = 0x2545f491;
  const keys = [];
  for (let i = 0; i < 20_000; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = (x >>> 0) / 2 ** 32;
    keys.push(Math.floor(i / 10) + Math.floor(u * u * u * 300));
  }
  return keys;
}

test('the adaptive default replayed by the study hits exactly as the cache does in trace-sim', async () => {
  const trace = await traceOf('drift', drifting());
  for (const capacity of [50, 200]) {
    const [adaptive] = studyPoint(trace, capacity);
    assert.equal(adaptive, simulate(DEFAULT_EVICTION_POLICY, trace, capacity));
  }
});

test('a follower that never reaches its first period keeps its starting window: it equals that fixed window', async () => {
  const trace = await traceOf('drift2', drifting());
  const never = [{ name: 'never', period: 1e9, decay: 1, start: WINDOWS[4] }];
  const ratios = studyPoint(trace, 100, undefined, never);
  assert.equal(ratios.length, 1 + WINDOWS.length + 1 + 1);
  assert.equal(ratios.at(-1), ratios[1 + 4]);
  assert.equal(ratios[1 + WINDOWS.length], Math.max(...ratios.slice(1, 1 + WINDOWS.length)));
});

test('on a loop larger than the cache the 1 % window wins and a cumulative follower finds it', async () => {
  const keys = [];
  for (let r = 0; r < 100; r += 1) for (let k = 0; k < 150; k += 1) keys.push(k);
  const trace = await traceOf('loop', keys);
  const ratios = studyPoint(trace, 100);
  const at = (name) => ratios[CONTENDERS.indexOf(name)];
  assert.ok(at('fixed 1%') > at('fixed 99%') + 0.3, `${at('fixed 1%')} vs ${at('fixed 99%')}`);
  assert.ok(at('follow: cumulative, 1%') > at('fixed 99%') + 0.3);
  assert.ok(at('follow: cumulative, 99%') > at('fixed 99%') + 0.3);
});
