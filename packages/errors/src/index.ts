export {
  MAX_SERIALIZED_ERRORS,
  NonErrorThrown,
  PATINOX_ERROR_BRAND,
  PatinoxError,
  RECOVERY_STRATEGIES,
  isPatinoxError,
  serializeError,
  toError,
} from './patinox-error.js';
export type { PatinoxErrorOptions, RecoveryStrategy, SerializedError } from './patinox-error.js';
export { describeThrown, describeValue } from './describe.js';
export { isThenable } from './thenable.js';
export {
  MAX_TIMER_MS,
  expectBoolean,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectObject,
  expectOneOf,
  expectPositiveFinite,
  expectPositiveInteger,
  expectSignal,
  expectString,
  expectTimerMs,
  expectTimerMsOrZero,
  optional,
  readKnownOptions,
  readOptions,
} from './validate.js';
export type { TimerMsOptions } from './validate.js';
export { closestKey, rejectNearMisses, rejectUnknownKeys } from './known-keys.js';
export { ERRORS_ERROR_CODES, type ErrorsErrorCode } from './errors.js';
export { MissingPeerError, ERRORS_PEER_DEPENDENCY_MISSING, importPeer, isMissingModule, loadPeer } from './missing-peer.js';
export { raceAbort } from './race-abort.js';
export { settleWithin } from './settle-within.js';
export { backoffDelay, defaultSleep, withRecovery } from './with-recovery.js';
export type { AttemptContext, SleepFn, WithRecoveryOptions } from './with-recovery.js';
