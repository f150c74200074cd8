import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isPatinoxError } from '@patinox/errors';
import { SHARED_DISPOSED, SHARED_LOCK_ABORTED, SHARED_LOCK_TIMEOUT, SharedRegion, SharedRwLock } from '../src/index.js';
import { actorArb, runScenario, turns, type LockUnderTest } from './lock-harness.js';

function adapter(lock: SharedRwLock): LockUnderTest {
  return {
    async acquire(mode, signal) {
      const guard = mode === 'read' ? await lock.read({ signal }) : await lock.write({ signal });
      return () => guard.release();
    },
  };
}

// Reads the four Int32 cells of the lock: readers in/out, writer tickets in/out.
function cells(lock: SharedRwLock): number[] {
  const { buffer, byteOffset } = lock.handle;
  return [...new Int32Array(buffer, byteOffset, 4)];
}

function isIdle(lock: SharedRwLock): boolean {
  const [rin, rout, win, wout] = cells(lock) as [number, number, number, number];
  return rin === rout && win === wout;
}

describe('SharedRwLock', () => {
  it('shares reads and excludes writes', async () => {
    const lock = new SharedRwLock();
    const r1 = await lock.read();
    const r2 = lock.tryRead()!;
    expect(r2.mode).toBe('read');
    expect(lock.tryWrite()).toBeUndefined();
    let wrote = false;
    const writer = lock.withWrite(() => {
      wrote = true;
    });
    await turns(3);
    expect(wrote).toBe(false);
    expect(lock.tryRead()).toBeUndefined();
    r1.release();
    r2[Symbol.dispose]();
    r2.release();
    await writer;
    expect(wrote).toBe(true);
    expect(isIdle(lock)).toBe(true);
    expect(() => r1.assertHeld()).toThrow(expect.objectContaining({ code: SHARED_DISPOSED }));
  });

  it('tryWrite succeeds only on an idle lock and backs out cleanly otherwise', async () => {
    const lock = new SharedRwLock();
    const w = lock.tryWrite()!;
    expect(w.mode).toBe('write');
    w.assertHeld();
    expect(lock.tryWrite()).toBeUndefined();
    w.release();
    const r = lock.tryRead()!;
    expect(lock.tryWrite()).toBeUndefined();
    // The failed tryWrite must not block readers or writers afterwards.
    const again = lock.tryRead();
    expect(again).toBeDefined();
    again?.release();
    r.release();
    lock.tryRead()!.release();
    (await lock.write()).release();
    expect(isIdle(lock)).toBe(true);
  });

  it('serves readers queued during a write before the next writer (phase-fair)', async () => {
    const lock = new SharedRwLock();
    const holder = await lock.write();
    const order: string[] = [];
    const w1 = lock.withWrite(() => order.push('w1'));
    await turns(1);
    const r1 = lock.withRead(() => order.push('r1'));
    const r2 = lock.withRead(() => order.push('r2'));
    holder.release();
    await Promise.all([w1, r1, r2]);
    expect(order.slice(0, 2).sort()).toEqual(['r1', 'r2']);
    expect(order[2]).toBe('w1');
  });

  it('does not let a stream of readers starve a waiting writer', async () => {
    const lock = new SharedRwLock();
    const first = await lock.read();
    const order: string[] = [];
    const writer = lock.withWrite(() => order.push('writer'));
    await turns(1);
    const late = lock.withRead(() => order.push('late reader'));
    first.release();
    await Promise.all([writer, late]);
    expect(order).toEqual(['writer', 'late reader']);
  });

  it('times out waiters with SHARED_LOCK_TIMEOUT and keeps the lock consistent', async () => {
    const lock = new SharedRwLock({ timeoutMs: 5 });
    const w = await lock.write();
    const reader = lock.read();
    const writer = lock.write({ timeoutMs: 5 });
    await expect(reader).rejects.toMatchObject({ code: SHARED_LOCK_TIMEOUT });
    await expect(writer).rejects.toMatchObject({ code: SHARED_LOCK_TIMEOUT });
    w.release();
    // The abandoned places pass through in the background; then the lock is free again.
    (await lock.write({ timeoutMs: 1000 })).release();
    for (let i = 0; i < 20 && !isIdle(lock); i += 1) await turns(1);
    expect(isIdle(lock)).toBe(true);
    expect(lock.metrics.lockTimeouts).toBe(2);
  });

  it('times out a writer draining readers, and the readers still finish', async () => {
    const lock = new SharedRwLock();
    const r = await lock.read();
    await expect(lock.write({ timeoutMs: 5 })).rejects.toMatchObject({ code: SHARED_LOCK_TIMEOUT });
    r.release();
    (await lock.write()).release();
    for (let i = 0; i < 20 && !isIdle(lock); i += 1) await turns(1);
    expect(isIdle(lock)).toBe(true);
  });

  it('aborts waiters with SHARED_LOCK_ABORTED', async () => {
    const lock = new SharedRwLock({ name: 'table' });
    await expect(lock.read({ signal: AbortSignal.abort('early') })).rejects.toMatchObject({ code: SHARED_LOCK_ABORTED });
    const w = await lock.write();
    const controller = new AbortController();
    const pending = lock.withRead(() => 1, { signal: controller.signal });
    await turns(1);
    controller.abort(new Error('stop'));
    const error = await pending.catch((e: unknown) => e);
    expect(isPatinoxError(error, SHARED_LOCK_ABORTED)).toBe(true);
    expect((error as Error).message).toContain('table');
    w.release();
    (await lock.write()).release();
    expect(lock.metrics.lockAborts).toBe(2);
  });

  it('releases withRead/withWrite when fn throws', async () => {
    const lock = new SharedRwLock();
    await expect(lock.withRead(() => { throw new Error('r'); })).rejects.toThrow('r');
    await expect(lock.withWrite(async () => { throw new Error('w'); })).rejects.toThrow('w');
    expect(isIdle(lock)).toBe(true);
    expect(lock.collectMetrics().length).toBeGreaterThan(0);
  });

  it('survives Int32 wrap-around of its counters', async () => {
    const buffer = new SharedArrayBuffer(32);
    const cellsView = new Int32Array(buffer, 16, 4);
    cellsView.set([0x7fffff00, 0x7fffff00, 0x7fffffff, 0x7fffffff]);
    const lock = new SharedRwLock({ buffer, byteOffset: 16 });
    for (let i = 0; i < 4; i += 1) {
      const r = await lock.read();
      const writer = lock.withWrite(() => 1);
      await turns(1);
      r.release();
      await writer;
    }
    expect(isIdle(lock)).toBe(true);
  });

  it('validates its options and handles', () => {
    expect(() => new SharedRwLock({ buffer: new ArrayBuffer(16) as never })).toThrow('Expected `buffer` to be a SharedArrayBuffer');
    expect(() => new SharedRwLock({ buffer: new SharedArrayBuffer(16), byteOffset: 2 })).toThrow(RangeError);
    expect(() => new SharedRwLock({ buffer: new SharedArrayBuffer(16), byteOffset: 4 })).toThrow(RangeError);
    expect(() => new SharedRwLock({ byteOffset: -1 })).toThrow(RangeError);
    expect(() => new SharedRwLock(null as never)).toThrow(TypeError);
    expect(() => SharedRwLock.from({ kind: 'x' } as never)).toThrow(TypeError);
    const lock = SharedRwLock.from(new SharedRwLock({ name: 'n' }).handle);
    expect(lock.handle.name).toBe('n');
  });

  it('property: no two writers, no reader during a writer, every waiter served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actorArb, { minLength: 1, maxLength: 12 }), async (actors) => {
        const lock = new SharedRwLock();
        const outcome = await runScenario(adapter(lock), actors);
        expect(outcome.hung).toBe(false);
        expect(outcome.violations).toEqual([]);
        expect(outcome.served + outcome.aborted).toBe(actors.length);
        expect(outcome.served).toBeGreaterThanOrEqual(actors.filter((a) => a.abortAfter === undefined).length);
        for (let i = 0; i < 50 && !isIdle(lock); i += 1) await turns(1);
        expect(isIdle(lock)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('SharedRegion', () => {
  it('guards a shared typed array and rebuilds from its handle without copying', async () => {
    const region = SharedRegion.create('Float64Array', 1024, { name: 'prices' });
    await region.withWrite((view) => view.fill(2));
    const other = SharedRegion.from(structuredClone(region.handle));
    expect(await other.withRead((view) => view.reduce((a, b) => a + b, 0))).toBe(2048);
    await other.withWrite((view) => {
      view[0] = 7;
    });
    expect(region.view[0]).toBe(7);
    const guard = await region.read();
    expect(guard.view).toBe(region.view);
    expect(region.tryWrite()).toBeUndefined();
    region.tryRead()?.release();
    guard[Symbol.dispose]();
    expect(() => guard.assertHeld()).toThrow(expect.objectContaining({ code: SHARED_DISPOSED }));
    const w = region.tryWrite();
    expect(w?.mode).toBe('write');
    w?.release();
    (await region.write()).release();
    expect(region.metrics.writes).toBeGreaterThan(0);
    expect(region.collectMetrics()[0]?.labels).toEqual({ name: 'prices' });
    expect(region.handle.type).toBe('Float64Array');
  });

  it('validates type, length and handles', () => {
    expect(() => SharedRegion.create('Float128Array' as never, 1)).toThrow('Expected `type` to be one of');
    expect(() => SharedRegion.create('Uint8Array', 0)).toThrow('Expected `length` to be a positive integer, got 0 (number)');
    expect(() => SharedRegion.create('Uint8Array', 1, null as never)).toThrow(TypeError);
    const region = SharedRegion.create('BigInt64Array', 2);
    expect(() => SharedRegion.from({ ...region.handle, length: 100 })).toThrow(TypeError);
    expect(() => SharedRegion.from(null as never)).toThrow(TypeError);
  });
});
