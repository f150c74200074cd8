import type { Coherence } from './coherence.js';
import type { KeyLayout } from './key-layout.js';
import type { RemoteTier } from './remote-tier.js';
import type { Sliding } from './sliding.js';
import { exportSnapshot, importSnapshot, type SnapshotImportOptions, type SnapshotInfo, type SnapshotKeys, type SnapshotSliding } from './snapshot.js';

/**
 * Snapshot export and import for one `TieredCache` namespace: the file format lives in snapshot.ts;
 * this wires it to the namespace's key layout, to L2 through the remote tier (circuit breaker, timeouts),
 * to coherence (an import invalidates every instance's L1), and to this instance's sliding windows
 * (exported with the entries they slide; an imported one slides here as if this instance wrote it).
 */
export class TierSnapshots<V> {
  readonly #namespace: string;
  readonly #remote: RemoteTier;
  readonly #coherence: Coherence<V>;
  readonly #keys: SnapshotKeys;
  readonly #sliding: SnapshotSliding;

  constructor(namespace: string, remote: RemoteTier, coherence: Coherence<V>, layout: KeyLayout, sliding: Sliding<V>) {
    this.#namespace = namespace;
    this.#sliding = { windowOf: (key) => sliding.windowOf(key), adopt: (key, windowMs) => sliding.wrote(key, windowMs, true) };
    this.#remote = remote;
    this.#coherence = coherence;
    this.#keys = { prefix: layout.values, tagPrefix: layout.tags };
  }

  export(path: string): Promise<SnapshotInfo> {
    return exportSnapshot(this.#remote.backend, this.#namespace, this.#keys, path, (op, fn) => this.#remote.call(op, fn), this.#sliding);
  }

  async import(path: string, options: SnapshotImportOptions): Promise<SnapshotInfo> {
    try {
      return await importSnapshot(this.#remote.backend, this.#keys, path, options, (op, fn) => this.#remote.call(op, fn), this.#sliding);
    } finally {
      // Also after a failure part-way: the batches written before it replaced values other L1s may hold.
      this.#coherence.cleared();
      await this.#coherence.publish({ clear: true });
    }
  }
}
