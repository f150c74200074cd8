import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import type { ConnectionManager } from '../src/index.js';

/** A fake connection: an emitter, so tests can make it fail on its own. */
export class FakeConnection extends EventEmitter {
  destroyed = false;
  constructor(readonly id: number) {
    super();
  }
}

export { deferred, type Deferred } from '@patinox/test-servers';

/** A manager of fake connections whose behaviour each test can swap. */
export class FakeManager implements ConnectionManager<FakeConnection> {
  nextId = 1;
  creates = 0;
  signals: AbortSignal[] = [];
  readonly destroyed: FakeConnection[] = [];
  createImpl: (signal: AbortSignal) => Promise<FakeConnection> = () => Promise.resolve(this.make());
  validImpl: (connection: FakeConnection) => boolean | Promise<boolean> = () => true;

  make(): FakeConnection {
    return new FakeConnection(this.nextId++);
  }

  create(signal: AbortSignal): Promise<FakeConnection> {
    this.creates += 1;
    this.signals.push(signal);
    return this.createImpl(signal);
  }

  isValid(connection: FakeConnection): boolean | Promise<boolean> {
    return this.validImpl(connection);
  }

  destroy(connection: FakeConnection): void {
    connection.destroyed = true;
    this.destroyed.push(connection);
  }

  watch(connection: FakeConnection, onError: (error: unknown) => void): () => void {
    connection.on('error', onError);
    return () => connection.off('error', onError);
  }
}

/** Lets pending promise callbacks run (with fake timers installed). */
export async function flush(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}
