export { AsyncResourceGuard, adopt, guard, isResourceGuard } from './guard.js';
export type { CleanupFn, GuardState } from './guard.js';
export { ResourceRegistry, defaultRegistry } from './registry.js';
export type { CleanupFailure, CleanupReport, RegistryStats, ResourceInfo } from './registry.js';
export { ResourceScope } from './scope.js';
export { installShutdownHooks } from './shutdown-hooks.js';
export type { ShutdownHooks } from './shutdown-hooks.js';
export { CleanupPriority } from './priority.js';
export {
  CleanupError,
  RESOURCE_ALREADY_CLEANED_UP,
  RESOURCE_CLEANUP_DEADLINE_EXCEEDED,
  RESOURCE_CLEANUP_FAILED,
  RESOURCE_CLEANUP_TIMEOUT,
  RESOURCE_ERROR_CODES,
  RESOURCE_REGISTRY_SHUTTING_DOWN,
  RESOURCE_SCOPE_CLEANUP_FAILED,
  RESOURCE_TAKEN,
  RegistryShutdownError,
  ResourceError,
  ResourceStateError,
} from './errors.js';
export { RESOURCE_EVENTS } from './events.js';
export type { ResourceEventName } from './events.js';
export type { CleanupErrorCode, ResourceErrorCode, ResourceStateErrorCode } from './errors.js';
export type { CleanupAllOptions, GuardOptions, RegistryOptions, ScopeOptions, ShutdownHookOptions, ShutdownOptions } from './options.js';
