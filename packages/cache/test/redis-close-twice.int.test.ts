import { describe, it, expect } from '@jest/globals';
import { redisUrl } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';

/** The order in which two close calls resolve. */
async function closeOrder(first: () => Promise<void>, second: () => Promise<void>): Promise<string[]> {
  const order: string[] = [];
  await Promise.all([first().then(() => order.push('first')), second().then(() => order.push('second'))]);
  return order;
}

describe('RedisBackend and RedisBus closed twice', () => {
  it('resolve a second close (or dispose) only with the first, once QUIT was answered', async () => {
    const backend = new RedisBackend({ url: redisUrl() });
    const bus = new RedisBus({ client: backend.client });
    await bus.ready;
    expect(await closeOrder(() => bus.close(), () => bus[Symbol.asyncDispose]())).toEqual(['first', 'second']);
    expect(await closeOrder(() => backend.close(), () => backend[Symbol.asyncDispose]())).toEqual(['first', 'second']);
  });
});
