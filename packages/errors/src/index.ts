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
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectObject,
  expectOneOf,
  expectPositiveFinite,
  expectPositiveInteger,
  expectString,
  optional,
} from './validate.js';
export { MissingPeerError, PEER_DEPENDENCY_MISSING, importPeer, isMissingModule, loadPeer } from './missing-peer.js';
export { raceAbort } from './race-abort.js';
export { backoffDelay, defaultSleep, withRecovery } from './with-recovery.js';
export type { AttemptContext, SleepFn, WithRecoveryOptions } from './with-recovery.js';
