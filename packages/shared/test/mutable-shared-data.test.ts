import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { isPatinoxError } from '@patinox/errors';
import { MutableSharedData, SHARED_DISPOSED, SHARED_LOCK_ABORTED, SHARED_LOCK_TIMEOUT } from '../src/index.js';
import { actorArb, runScenario, turns, type LockUnderTest } from './lock-harness.js';

function adapter(data: MutableSharedData<number>, violations: string[]): LockUnderTest {
  return {
    async acquire(mode, signal) {
      if (mode === 'read') {
        const guard = await data.read({ signal });
        const state = data.state;
        if (state.writing) violations.push('reader granted while writing');
        return () => guard.release();
      }
      const guard = await data.write({ signal });
      const state = data.state;
      if (!state.writing || state.readers > 0) violations.push(`writer granted with ${state.readers} readers`);
      return () => guard.release();
    },
  };
}

describe('MutableSharedData', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('lets readers share and gives the writer exclusive access', async () => {
    const data = new MutableSharedData({ n: 1 });
    const r1 = await data.read();
    const r2 = await data.read();
    expect(data.state).toEqual({ readers: 2, writing: false, waitingReaders: 0, waitingWriters: 0 });
    const writing = data.write();
    await turns(2);
    expect(data.state.waitingWriters).toBe(1);
    r1.release();
    r2[Symbol.dispose]();
    const w = await writing;
    w.value.n = 2;
    w.value = { n: 3 };
    w.release();
    w.release();
    expect(await data.withRead((v) => v.n)).toBe(3);
  });

  it('releases withRead/withWrite locks when fn throws or rejects', async () => {
    const data = new MutableSharedData(0);
    await expect(data.withWrite(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    await expect(data.withRead(async () => { throw new Error('async'); })).rejects.toThrow('async');
    expect(data.state).toEqual({ readers: 0, writing: false, waitingReaders: 0, waitingWriters: 0 });
    await data.withWrite((_v, set) => set(5));
    expect(await data.withRead((v) => v)).toBe(5);
  });

  it("refuses withWrite's set once the lock is released, so a kept set cannot write without the lock", async () => {
    const data = new MutableSharedData(0);
    let kept: ((next: number) => void) | undefined;
    await data.withWrite((_v, set) => {
      set(1);
      kept = set;
    });
    const reader = await data.read();
    let thrown: unknown;
    try {
      kept!(99);
    } catch (err) {
      thrown = err;
    }
    expect(isPatinoxError(thrown) && thrown.code).toBe(SHARED_DISPOSED);
    expect(reader.value).toBe(1);
    reader.release();
    // An async fn's set keeps working until its promise settles.
    await data.withWrite(async (_v, set) => {
      await turns(2);
      set(2);
    });
    expect(await data.withRead((v) => v)).toBe(2);
  });

  it('holds the write lock across an async fn so no reader sees half a change', async () => {
    const data = new MutableSharedData({ a: 0, b: 0 });
    const writer = data.withWrite(async (v) => {
      v.a = 1;
      await turns(3);
      v.b = 1;
    });
    const seen = await data.withRead((v) => ({ ...v }));
    await writer;
    expect(seen).toEqual({ a: 1, b: 1 });
  });

  it('tryRead/tryWrite never wait', async () => {
    const data = new MutableSharedData(1);
    const w = data.tryWrite()!;
    expect(data.tryRead()).toBeUndefined();
    expect(data.tryWrite()).toBeUndefined();
    w.release();
    const r = data.tryRead()!;
    expect(r.value).toBe(1);
    expect(data.tryWrite()).toBeUndefined();
    r.release();
    expect(() => r.value).toThrow(expect.objectContaining({ code: SHARED_DISPOSED }));
    expect(() => w.value).toThrow(expect.objectContaining({ code: SHARED_DISPOSED }));
    expect(() => {
      w.value = 2;
    }).toThrow(expect.objectContaining({ code: SHARED_DISPOSED }));
    expect(data.tryWrite()).toBeDefined();
  });

  it('does not starve a writer under a stream of readers', async () => {
    const data = new MutableSharedData(0);
    const first = await data.read();
    const order: string[] = [];
    const writer = data.withWrite(() => order.push('writer'));
    const lateReaders = [1, 2, 3].map((i) => data.withRead(() => order.push(`reader ${i}`)));
    expect(data.tryRead()).toBeUndefined();
    first.release();
    await Promise.all([writer, ...lateReaders]);
    expect(order[0]).toBe('writer');
  });

  it('does not starve readers under a stream of writers (phase-fair batches)', async () => {
    const data = new MutableSharedData(0);
    const holder = await data.write();
    const order: string[] = [];
    const w1 = data.withWrite(() => order.push('w1'));
    const r1 = data.withRead(() => order.push('r1'));
    const w2 = data.withWrite(() => order.push('w2'));
    const r2 = data.withRead(() => order.push('r2'));
    holder.release();
    await Promise.all([w1, r1, w2, r2]);
    // Readers queued during the write go together before the next writer.
    expect(order).toEqual(['r1', 'r2', 'w1', 'w2']);
  });

  it('rejects a waiter with SHARED_LOCK_TIMEOUT after timeoutMs and serves the rest', async () => {
    jest.useFakeTimers();
    const data = new MutableSharedData(0, { timeoutMs: 50 });
    const w = await data.write();
    const timedOut = data.read();
    const patient = data.read({ timeoutMs: 500 });
    const assertion = expect(timedOut).rejects.toMatchObject({ code: SHARED_LOCK_TIMEOUT, recovery: 'retry' });
    await jest.advanceTimersByTimeAsync(60);
    await assertion;
    w.release();
    const r = await patient;
    expect(r.value).toBe(0);
    r.release();
    expect(data.metrics.lockTimeouts).toBe(1);
  });

  it('rejects with SHARED_LOCK_ABORTED when the signal aborts, and at once when already aborted', async () => {
    const data = new MutableSharedData(0);
    const r = await data.read();
    const controller = new AbortController();
    const writer = data.write({ signal: controller.signal });
    const queuedReader = data.read();
    controller.abort(new Error('shutdown'));
    const error = await writer.catch((e: unknown) => e);
    expect(isPatinoxError(error, SHARED_LOCK_ABORTED)).toBe(true);
    expect((error as Error).cause).toEqual(new Error('shutdown'));
    // With the writer gone the queued reader joins the current read phase.
    (await queuedReader).release();
    r.release();
    await expect(data.withWrite(() => 1, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: SHARED_LOCK_ABORTED });
    const w = await data.write();
    await expect(data.withRead(() => 1, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: SHARED_LOCK_ABORTED });
    w.release();
    expect(data.metrics.lockAborts).toBe(3);
  });

  it('validates options with the house message', async () => {
    expect(() => new MutableSharedData(0, { timeoutMs: -1 })).toThrow('Expected `timeoutMs` to be a non-negative number of ms at most 2147483647, got -1 (number)');
    // Node would turn a longer delay into 1 ms: a "very long" wait would time out at once.
    expect(() => new MutableSharedData(0, { timeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => new MutableSharedData(0, { timeoutMs: Infinity })).toThrow(RangeError);
    await expect(new MutableSharedData(0).read({ timeoutMs: 2 ** 31 })).rejects.toThrow(RangeError);
    expect(() => new MutableSharedData(0, { timeoutMs: 'x' as never })).toThrow(TypeError);
    expect(() => new MutableSharedData(0, 1 as never)).toThrow(TypeError);
    const data = new MutableSharedData(0);
    await expect(data.read({ signal: 'x' as never })).rejects.toThrow('Expected `signal` to be an AbortSignal');
    await expect(data.write(null as never)).rejects.toThrow(TypeError);
    expect(() => data.withRead(1 as never)).toThrow('Expected `fn` to be a function, got 1 (number)');
  });

  it('counts reads and writes in plain fields', async () => {
    const data = new MutableSharedData(0, { name: 'm' });
    await data.withRead(() => 0);
    await data.withWrite(() => 0);
    expect(data.metrics.snapshot()).toMatchObject({ reads: 1, writes: 1 });
    expect(data.collectMetrics().find((m) => m.name === 'patinox_shared_writes_total')).toMatchObject({ value: 1, labels: { name: 'm' } });
  });

  it('property: no two writers, no reader during a writer, every waiter served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actorArb, { minLength: 1, maxLength: 14 }), async (actors) => {
        const data = new MutableSharedData(0);
        const violations: string[] = [];
        const outcome = await runScenario(adapter(data, violations), actors);
        expect(outcome.hung).toBe(false);
        expect([...violations, ...outcome.violations]).toEqual([]);
        expect(outcome.served + outcome.aborted).toBe(actors.length);
        expect(outcome.served).toBeGreaterThanOrEqual(actors.filter((a) => a.abortAfter === undefined).length);
        expect(data.state).toEqual({ readers: 0, writing: false, waitingReaders: 0, waitingWriters: 0 });
      }),
      { numRuns: 60 },
    );
  });
});
