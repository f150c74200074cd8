import type { EventEmitter } from 'node:events';
import type * as pg from 'pg';

/** A `pg.Submittable` (pg.Query, pg-cursor, pg-query-stream), which are all event emitters. */
export type PgSubmittable = pg.Submittable & EventEmitter & { handleError?: (error: Error, connection?: unknown) => void };

/** True for a value `client.query()` would submit as is. */
export function isSubmittable(value: unknown): value is PgSubmittable {
  return typeof value === 'object' && value !== null && typeof (value as { submit?: unknown }).submit === 'function';
}

/**
 * Tells `submittable` it will never run: through `handleError`, as pg tells every queued query when its
 * client fails (pg.Query calls its callback or emits `'error'`; pg-cursor answers its pending reads), else
 * as an `'error'` event. Returns false when it has neither way to hear it.
 */
export function failSubmittable(submittable: PgSubmittable, error: Error): boolean {
  if (typeof submittable.handleError === 'function') {
    submittable.handleError(error);
    return true;
  }
  if (submittable.listenerCount('error') === 0) return false;
  submittable.emit('error', error);
  return true;
}
