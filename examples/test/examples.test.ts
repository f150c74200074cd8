import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `examples/<name>.mjs` with node; resolves with its stdout once it exited with code 0. */
function runExample(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, `${name}.mjs`)], { cwd: ROOT, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${name}.mjs failed: ${error.message}\n${stderr}`));
      else if (stderr !== '') reject(new Error(`${name}.mjs wrote to stderr:\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('examples', () => {
  it('errors.mjs retries busy errors, falls back, and fails on a hard error by code', async () => {
    const out = await runExample('errors');
    expect(out).toMatch(/^retry 1 after INVENTORY_BUSY/m);
    expect(out).toMatch(/^retry 2 after INVENTORY_BUSY/m);
    expect(out).toMatch(/^stock \{ sku: 'SKU-1', stock: 42 \}/m);
    expect(out).toMatch(/^fallback \{ sku: 'SKU-OLD', stock: 0, cached: true \}/m);
    expect(out).toMatch(/^failed INVENTORY_UNKNOWN_SKU \(fail\) for SKU-404/m);
    expect(out).toMatch(/"code":"ORDER_REJECTED".*"cause":\{"code":"INVENTORY_UNKNOWN_SKU"/);
  });

  it('monitor.mjs records latency and errors, pulls collector metrics, and reports health with a deadline', async () => {
    const out = await runExample('monitor');
    expect(out).toMatch(/^requests 100, p50 [\d.]+ ms, p99 [\d.]+ ms, errors 2$/m);
    expect(out).toMatch(/^metric http_errors_total 2$/m);
    expect(out).toMatch(/^metric queue_depth 3$/m);
    expect(out).toMatch(/^metric queue_processed_total 98$/m);
    expect(out).toMatch(/^events: orders.started, orders.failed, orders.failed$/m);
    expect(out).toMatch(/^health down: queue=up, payments=down$/m);
  });

  it('pool.mjs shares four TCP connections among 20 requests and times out a waiter with POOL_TIMEOUT', async () => {
    const out = await runExample('pool');
    expect(out).toMatch(/^20 requests over 4 connections; last reply "order 19"$/m);
    expect(out).toMatch(/^acquired 20, idle 4, borrowed 0, p99 wait [\d.]+ ms$/m);
    expect(out).toMatch(/^busy pool: POOL_TIMEOUT after 50 ms, recovery "retry"$/m);
    expect(out).toMatch(/^closed: 4 connections destroyed, 0 leaked$/m);
  });

  it('resource.mjs releases a handle, a scope in reverse order, and the rest on shutdown', async () => {
    const out = await runExample('resource');
    expect(out).toMatch(/^after writeReport: report.csv handle$/m);
    expect(out).toMatch(/^scope open: heartbeat timer active, registry tracks 3 resources$/m);
    expect(out).toMatch(/^after scope.cleanup\(\): upload session, heartbeat timer$/m);
    expect(out).toMatch(/^shutdown: cleaned 1, failed 0, temp dir exists: false, guard cleaned$/m);
  });

  it('shared.mjs refuses an invalid config, ships the next version to every worker, and counts in shared memory', async () => {
    const out = await runExample('shared');
    expect(out).toMatch(/^main: refused version 2: .*maxCartItems must be a positive integer$/m);
    expect(out).toMatch(/^main: flags v2 published$/m);
    expect(out).toMatch(/^worker 1: now on flags v2 \(checkoutV2 = true\)$/m);
    expect(out).toMatch(/^worker 2: now on flags v2 \(checkoutV2 = true\)$/m);
    expect(out).toMatch(/^main: 200 requests, \d+ on checkout v2$/m);
  });

  it('mmap.mjs reads fixed-size records in place and keeps counters in a writable mapping', async () => {
    const out = await runExample('mmap');
    expect(out).toMatch(/^record layout: sku@0 priceCents@4 stock@8 rating@12, 16 bytes$/m);
    expect(out).toMatch(/^100000 records mapped; sku 41999 costs 699 cents, rating 4.5$/m);
    expect(out).toMatch(/^98000 in stock, out-of-range get: undefined$/m);
    expect(out).toMatch(/^after close: MMAP_CLOSED, not a crash$/m);
    expect(out).toMatch(/^counters after reopening: 125 125 125 125 125 125 125 125$/m);
  });

  it('cache.mjs loads once per key under concurrency, invalidates by tag, and keeps two tiered instances coherent', async () => {
    const out = await runExample('cache');
    expect(out).toMatch(/^50 concurrent requests, 2 database calls$/m);
    expect(out).toMatch(/^hits 1, misses 51, entries 3, policy clock-tinylfu$/m);
    expect(out).toMatch(/^invalidated team:red -> removed 1, entries 2$/m);
    expect(out).toMatch(/^b reads Ada\nb reads Ada Lovelace$/m);
    expect(out).toMatch(/^bus: a published 2, b received 2$/m);
  });

  it('config-wiring.mjs resizes a pool and retunes a cache from layered config, refuses bad changes, and rolls out by percentage', async () => {
    const out = await runExample('config-wiring');
    expect(out).toMatch(/^pool.maxSize = 6 from env \(APP_POOL__MAX_SIZE\)$/m);
    expect(out).toMatch(/^cache.ttlMs = 30000 from file \(config.json\)$/m);
    expect(out).toMatch(/^start: pool maxSize 6, cache maxEntries 100 \(0 entries\), ttlMs 30000, v1$/m);
    // The pool's and the cache's own figures: resized by the subscription, the entry kept across the cache swap.
    expect(out).toMatch(/^after overrides: pool maxSize 8, cache maxEntries 500 \(2 entries\), ttlMs 5000, v4$/m);
    // Each entry's TTL is the one the live config held when it was set (what is left of it: a stalled
    // machine may take a second or two between the set and the print).
    expect(out).toMatch(/^cache TTLs: user:1 (2[5-9]|30) s \(set under ttlMs 30000\), user:2 [1-5] s \(set under ttlMs 5000\)$/m);
    expect(out).toMatch(/^refused override pool.maxSize = 0: SHARED_CONFIG_INVALID$/m);
    expect(out).toMatch(/^refused env APP_POOL__MAX_SIZE = "many": SHARED_CONFIG_INVALID$/m);
    expect(out).toMatch(/^after refused changes: pool maxSize 8, cache maxEntries 500 \(2 entries\), ttlMs 5000, v4$/m);
    expect(out).toMatch(/^rollout: fast 265, slow 1735 of 2000 requests$/m);
    expect(out).toMatch(/^rollouts.fast-path.percent = 25 from override$/m);
  });
});
