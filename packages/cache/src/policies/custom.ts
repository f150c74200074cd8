import type { CacheEntry, EvictionStrategy } from '../options.js';
import type { Policy } from './policy.js';

/** How the custom policy reads an entry's facts from the cache that owns them. */
export interface SlotReader<K, V> {
  key(slot: number): K;
  value(slot: number): V;
  expiresAt(slot: number): number;
  sizeBytes(slot: number): number;
  now(): number;
}

interface MutableEntry<K, V> extends CacheEntry<K, V> {
  key: K;
  value: V;
  insertedAt: number;
  expiresAt: number;
  sizeBytes: number;
  seq: number;
}

/**
 * Adapts a user {@link EvictionStrategy}: one entry object per slot (the price of handing entries to
 * user code), a victim found by scanning every entry.
 */
export class CustomPolicy<K, V> implements Policy {
  readonly needsHash = false;
  readonly #strategy: EvictionStrategy<K, V>;
  readonly #reader: SlotReader<K, V>;
  readonly #entries: (MutableEntry<K, V> | undefined)[];
  #seq = 0;

  constructor(slots: number, strategy: EvictionStrategy<K, V>, reader: SlotReader<K, V>) {
    this.#strategy = strategy;
    this.#reader = reader;
    this.#entries = new Array<MutableEntry<K, V> | undefined>(slots).fill(undefined);
  }

  insert(slot: number): void {
    const r = this.#reader;
    const now = r.now();
    const entry: MutableEntry<K, V> = {
      key: r.key(slot),
      value: r.value(slot),
      insertedAt: now,
      lastAccessedAt: now,
      accessCount: 0,
      expiresAt: r.expiresAt(slot),
      sizeBytes: r.sizeBytes(slot),
      state: undefined,
      seq: (this.#seq += 1),
    };
    this.#entries[slot] = entry;
    this.#strategy.onInsert(entry);
  }

  hit(slot: number): void {
    const entry = this.#entries[slot];
    if (entry === undefined) return;
    entry.lastAccessedAt = this.#reader.now();
    entry.accessCount += 1;
    this.#strategy.onAccess(entry);
  }

  update(slot: number): void {
    const entry = this.#entries[slot];
    if (entry === undefined) return;
    const r = this.#reader;
    entry.value = r.value(slot);
    entry.expiresAt = r.expiresAt(slot);
    entry.sizeBytes = r.sizeBytes(slot);
    entry.lastAccessedAt = r.now();
    this.#strategy.onInsert(entry);
  }

  remove(slot: number): void {
    this.#entries[slot] = undefined;
  }

  /** True when the strategy wants the entry in `slot` gone now. */
  shouldEvict(slot: number): boolean {
    const entry = this.#entries[slot];
    return entry !== undefined && this.#strategy.shouldEvict(entry);
  }

  evict(): number {
    let best = -1;
    let bestPriority = Infinity;
    let bestSeq = Infinity;
    const entries = this.#entries;
    for (let slot = 0; slot < entries.length; slot += 1) {
      const entry = entries[slot];
      if (entry === undefined) continue;
      if (this.#strategy.shouldEvict(entry)) {
        best = slot;
        break;
      }
      const priority = Number(this.#strategy.evictionPriority(entry));
      const p = Number.isNaN(priority) ? Infinity : priority;
      if (best === -1 || p < bestPriority || (p === bestPriority && entry.seq < bestSeq)) {
        best = slot;
        bestPriority = p;
        bestSeq = entry.seq;
      }
    }
    if (best !== -1) this.#entries[best] = undefined;
    return best;
  }

  /** By `evictionPriority` (ties: the oldest is colder); entries `shouldEvict` wants gone are coldest. */
  ranked(n: number, hottest: boolean): number[] {
    const rows: { slot: number; doomed: boolean; priority: number; seq: number }[] = [];
    this.#entries.forEach((entry, slot) => {
      if (entry === undefined) return;
      const priority = Number(this.#strategy.evictionPriority(entry));
      rows.push({ slot, doomed: this.#strategy.shouldEvict(entry), priority: Number.isNaN(priority) ? Infinity : priority, seq: entry.seq });
    });
    rows.sort((a, b) => (a.doomed === b.doomed ? a.priority - b.priority || a.seq - b.seq : a.doomed ? -1 : 1));
    if (hottest) rows.reverse();
    return rows.slice(0, n).map((r) => r.slot);
  }

  clear(): void {
    this.#entries.fill(undefined);
  }
}
