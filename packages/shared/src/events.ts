import { defineEvents, type EventName } from '@patinox/monitor';

/**
 * Every event `@patinox/shared` reports to a `monitor` (`ConfigData`, `ConfigReplica`, `LayeredConfig` and
 * `SharedMap` take one);
 * names are public API. None is emitted per read, per lock call or per notification.
 */
export const SHARED_EVENTS = defineEvents('shared', {
  /** A configuration was installed. Data: `version`, `source` (`'update'` or `'file'`). */
  configUpdated: 'shared.config.updated',
  /** `update` (or a replica) refused a candidate; the old configuration stays. Data: `version`, `code`, `error`. */
  configRejected: 'shared.config.rejected',
  /** A watched file could not be loaded, migrated or validated; the old configuration stays. Data: `path`, `code`, `error`, `initial?`. */
  configReloadFailed: 'shared.config.reload.failed',
  /** A listener threw or rejected; the others were still notified. Data: `version`, `code`, `error`. */
  configSubscriberFailed: 'shared.config.subscriber.failed',
  /** The directory watcher of `watchFile` failed; that watch is closed. Data: `path`, `error`. */
  configWatchFailed: 'shared.config.watch.failed',
  /** `close()` ran. Data: `version`. */
  configClosed: 'shared.config.closed',
  /**
   * A `SharedMap` shard lock was taken over from a holder that died or outlived `lockLeaseMs`.
   * Data: `shard`, `threadId` (the holder's), `heldMs`, `how` (`'lease'` or `'exit'` for `recoverThread`).
   */
  mapLockRecovered: 'shared.map.lock.recovered',
} as const);

/** One of {@link SHARED_EVENTS}. */
export type SharedEventName = EventName<typeof SHARED_EVENTS>;
