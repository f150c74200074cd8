export {
  NonErrorThrown,
  PATINOX_ERROR_BRAND,
  PatinoxError,
  RECOVERY_STRATEGIES,
  describeValue,
  isPatinoxError,
  serializeError,
  toError,
} from './patinox-error.js';
export type { PatinoxErrorOptions, RecoveryStrategy, SerializedError } from './patinox-error.js';
export {
  expectBoolean,
  expectFunction,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectOneOf,
  expectPositiveFinite,
  expectPositiveInteger,
  optional,
} from './validate.js';
export { backoffDelay, defaultSleep, withRecovery } from './with-recovery.js';
export type { AttemptContext, SleepFn, WithRecoveryOptions } from './with-recovery.js';
