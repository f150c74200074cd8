/**
 * Where a namespace keeps its data in L2. Every key of a namespace, including its regions', starts
 * with `<namespace>:`, so one Redis ACL pattern (`~<namespace>:*`) covers every feature:
 *
 * ```
 * <ns>:v:<key>          values and counters
 * <ns>:t:<tag>          tag sets (members: keys)
 * <ns>:l:<key>          getOrLoad locks
 * <ns>:g:<key>          grace copies of values (getOrLoad's graceMs)
 * <ns>:w:<key>          write times of loaded values (getOrLoad's refreshAfterMs)
 * <ns>:r:<name>:...     region <name>, laid out the same way
 * ```
 *
 * The prefixes hold no `{`, so a hash tag in a key (`{order:1}:items`) still decides its Redis Cluster slot,
 * and the value and lock of one key share it.
 */
export class KeyLayout {
  /** `<ns>:`, the prefix of everything this namespace (and its regions) owns. */
  readonly root: string;
  /** Prefix of value keys. */
  readonly values: string;
  /** Prefix of tag sets. */
  readonly tags: string;
  /** Prefix of lock keys. */
  readonly locks: string;
  /** Prefix of grace copies. */
  readonly graces: string;
  /** Prefix of write times. */
  readonly writes: string;

  constructor(root: string) {
    this.root = root;
    this.values = `${root}v:`;
    this.tags = `${root}t:`;
    this.locks = `${root}l:`;
    this.graces = `${root}g:`;
    this.writes = `${root}w:`;
  }

  /** The layout of namespace `namespace` (a root cache). */
  static of(namespace: string): KeyLayout {
    return new KeyLayout(`${namespace}:`);
  }

  value(key: string): string {
    return this.values + key;
  }

  tag(tag: string): string {
    return this.tags + tag;
  }

  lock(key: string): string {
    return this.locks + key;
  }

  grace(key: string): string {
    return this.graces + key;
  }

  written(key: string): string {
    return this.writes + key;
  }

  /** The layout of region `name` inside this one. */
  region(name: string): KeyLayout {
    return new KeyLayout(`${this.root}r:${name}:`);
  }
}
