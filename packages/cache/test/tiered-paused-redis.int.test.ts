import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { disposeRedis, eventually, redisUrl, startRedis, type RedisServerHandle } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { TieredCache } from '../src/tiered/index.js';

/** Resolves with how `work` settled and how long it took, or 'pending' when it has not after `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<{ outcome: string; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<string>((resolve) => (timer = setTimeout(resolve, ms, 'pending')));
  try {
    const outcome = await Promise.race([work.then(() => 'resolved', () => 'rejected'), pending]);
    return { outcome, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

// A paused server (SIGSTOP) keeps its sockets open and answers nothing: what a network partition looks like.
describe('TieredCache against a redis-server that stops answering', () => {
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = await startRedis();
  });

  afterAll(async () => {
    if (server.isRunning) process.kill(server.pid, 'SIGCONT');
    await disposeRedis(server);
  });

  it('stops trusting L1 once the bus server stops answering (heartbeat), so a write elsewhere is not missed, and trusts it again after', async () => {
    // L2 on the shared server, the bus alone on the one paused: A's write lands, its invalidation cannot.
    const namespace = `paused-bus-${process.pid}-${Date.now()}`;
    const l2a = new RedisBackend({ url: redisUrl() });
    const l2b = new RedisBackend({ url: redisUrl() });
    const busClientA = new RedisBackend({ url: server.url });
    const busClientB = new RedisBackend({ url: server.url });
    const busA = new RedisBus({ client: busClientA.client, heartbeatMs: 100 });
    const busB = new RedisBus({ client: busClientB.client, heartbeatMs: 100 });
    await Promise.all([busA.ready, busB.ready]);
    const a = new TieredCache<number>({ l2: l2a, bus: busA, namespace, operationTimeoutMs: 200 });
    const b = new TieredCache<number>({ l2: l2b, bus: busB, namespace, operationTimeoutMs: 200 });
    const states: string[] = [];
    busB.subscribe({ onMessage: () => undefined, onStateChange: (state) => states.push(state) });
    try {
      await a.set('k', 1);
      expect(await b.get('k')).toBe(1);
      process.kill(server.pid, 'SIGSTOP');
      try {
        await eventually(() => busB.state === 'disconnected', { timeoutMs: 2_000 });
        expect(busB.lastError?.message).toMatch(/did not answer a PING/);
        await a.set('k', 2).catch(() => undefined);
        expect(await b.get('k')).toBe(2);
      } finally {
        process.kill(server.pid, 'SIGCONT');
      }
      await eventually(() => busB.state === 'connected', { timeoutMs: 5_000 });
      expect(states).toEqual(['disconnected', 'connected']);
      expect(await b.get('k')).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([busClientA.close(), busClientB.close()]);
    }
  });

  it('acknowledges a degraded write and closes without hanging on the silent connections', async () => {
    const l2 = new RedisBackend({ url: server.url });
    const bus = new RedisBus({ client: l2.client });
    await bus.ready;
    const cache = new TieredCache<number>({ l2, bus, namespace: 'paused', operationTimeoutMs: 100, degradeToL1: true });
    await cache.set('k', 1);
    process.kill(server.pid, 'SIGSTOP');
    try {
      // L2 times out (degraded to L1), then the invalidation's PUBLISH gets no answer either.
      const write = cache.set('k', 2);
      expect((await within(write, 2_000)).outcome).toBe('resolved');
      expect(await cache.get('k')).toBe(2);
      expect(cache.stats().bus.publishErrors).toBe(1);
      // QUIT gets no answer on either connection: both are dropped after the close deadline (1 s), together.
      const closed = await within(cache.close(), 3_000);
      expect(closed.outcome).toBe('resolved');
      expect(closed.ms).toBeLessThan(2_000);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
  });
});
