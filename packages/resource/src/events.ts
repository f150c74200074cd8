import { defineEvents, type EventName } from '@patinox/monitor';

/** Every event a registry reports to its monitor; the `source` is the registry's `name`. */
export const RESOURCE_EVENTS = defineEvents('resource', {
  /** A resource was registered (only with `resourceEvents`). Data: `id`, `name`. */
  created: 'resource.created',
  /** A cleanup succeeded (only with `resourceEvents`). Data: `id`, `name`, `durationMs` (sampled, else undefined). */
  cleaned: 'resource.cleaned',
  /** A cleanup failed for good, timeouts included. Data: `id`, `name`, `code`, `message`. */
  failed: 'resource.failed',
  /** A cleanup failed with a retryable error and will run again. Data: `id`, `name`, `attempt`, `delayMs`, `message`. */
  retry: 'resource.retry',
  /** A guard was collected without cleanup; its resource is cleaned by the queue. Data: `id`, `name`, `ageMs`, `stack`. */
  leaked: 'resource.leaked',
  /** `shutdown()` began. Data: `active`, `deadlineMs`. */
  shutdownStarted: 'resource.shutdown.started',
  /** `shutdown()` finished. Data: `cleaned`, `handedBack`, `complete`, `durationMs`, `failures`. */
  shutdownCompleted: 'resource.shutdown.completed',
});

/** The name of any event a registry reports. */
export type ResourceEventName = EventName<typeof RESOURCE_EVENTS>;
