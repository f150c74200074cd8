export { AsyncResourceGuard, adopt, guard, isResourceGuard } from './guard.js';
export type { CleanupFn, GuardState } from './guard.js';
export { ResourceRegistry, defaultRegistry } from './registry.js';
export type { CleanupFailure, CleanupReport, RegistryStats, ResourceInfo } from './registry.js';
export { ResourceScope } from './scope.js';
export { installShutdownHooks } from './shutdown-hooks.js';
export type { ShutdownHooks } from './shutdown-hooks.js';
export { CleanupPriority } from './priority.js';
export {
  ALREADY_CLEANED_UP,
  CLEANUP_DEADLINE_EXCEEDED,
  CLEANUP_FAILED,
  CLEANUP_TIMEOUT,
  CleanupError,
  REGISTRY_SHUTTING_DOWN,
  RESOURCE_ERROR_CODES,
  RESOURCE_TAKEN,
  RegistryShutdownError,
  ResourceStateError,
  SCOPE_CLEANUP_FAILED,
} from './errors.js';
export type { CleanupErrorCode, ResourceStateErrorCode } from './errors.js';
export type { CleanupAllOptions, GuardOptions, RegistryOptions, ScopeOptions, ShutdownHookOptions, ShutdownOptions } from './options.js';
