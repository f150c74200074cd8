// What tools/trace-sim's window study drives directly (never exported from the package): the default
// policy, whose window it fixes or steers, and the key hash the cache hands that policy.
export { ClockTinyLfuPolicy } from './clock-tinylfu.js';
export { hashKey } from '../internal/hash.js';
