import { describe, it, expect } from '@jest/globals';
import { MemoryBackend } from '../src/tiered/index.js';

// Its conformance runs in conformance.test.ts with every other implementation.

describe('MemoryBackend', () => {
  it('rejects a clock that is not a function', () => {
    expect(() => new MemoryBackend({ clock: 5 as never })).toThrow('Expected `clock` to be a function, got 5 (number)');
  });

  it('stores a copy, so mutating the caller buffer later changes nothing', async () => {
    const backend = new MemoryBackend();
    const bytes = Buffer.from('abc');
    await backend.set('k', bytes);
    bytes[0] = 0x7a;
    expect((await backend.get('k'))?.toString()).toBe('abc');
    expect(backend.size).toBe(1);
  });

  it('rejects every call with CACHE_CLOSED once closed', async () => {
    const backend = new MemoryBackend();
    await backend.close();
    await expect(backend.get('k')).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    await expect(backend.ping()).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
  });
});
