import type { BackendBatchOperation, BackendCheck, BackendEntry, BackendSetOptions, BackendWrite, CacheBackend } from '../tiered/backend.js';

/**
 * A backend that reports the entries flowing through it, so that an export or import run by the tier
 * (whose API reports only the end result) can show progress. Every call is passed on unchanged.
 */
export class ObservedBackend implements CacheBackend {
  readonly name: string;

  constructor(
    readonly inner: CacheBackend,
    readonly onRead: (entries: number) => void,
    readonly onWrite: (entries: number) => void,
  ) {
    this.name = inner.name;
  }

  get(key: string): Promise<Buffer | null> {
    return this.inner.get(key);
  }
  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    const values = await this.inner.getMany(keys);
    this.onRead(values.length);
    return values;
  }
  async set(key: string, value: Buffer, options?: BackendSetOptions): Promise<boolean> {
    const written = await this.inner.set(key, value, options);
    this.onWrite(1);
    return written;
  }
  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    await this.inner.setMany(entries);
    this.onWrite(entries.length);
  }
  delete(keys: readonly string[]): Promise<number> {
    return this.inner.delete(keys);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  ttl(key: string): Promise<number | null> {
    return this.inner.ttl(key);
  }
  increment(key: string, delta: number, header: number, ttlMs?: number): Promise<number> {
    return this.inner.increment(key, delta, header, ttlMs);
  }
  batch(operations: readonly BackendBatchOperation[]): Promise<void> {
    return this.inner.batch(operations);
  }
  compareAndSet(checks: readonly BackendCheck[], writes: readonly BackendWrite[]): Promise<boolean> {
    return this.inner.compareAndSet(checks, writes);
  }
  scan(match: string, count: number): AsyncIterable<string[]> {
    return this.inner.scan(match, count);
  }
  addToSet(key: string, members: readonly string[], ttlMs: number): Promise<void> {
    return this.inner.addToSet(key, members, ttlMs);
  }
  setMembers(key: string): Promise<string[]> {
    return this.inner.setMembers(key);
  }
  acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.inner.acquireLock(key, token, ttlMs);
  }
  releaseLock(key: string, token: string): Promise<boolean> {
    return this.inner.releaseLock(key, token);
  }
  ping(): Promise<number> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
