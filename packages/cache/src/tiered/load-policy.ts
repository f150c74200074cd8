// The tier reads its load timing options with the same reader as `Cache` (src/loading/load-timing.ts).
export { NO_LOAD_TIMING as NO_LOAD_POLICY, readLoadTiming as readLoadPolicy } from '../loading/load-timing.js';
export type { LoadTiming as LoadPolicy } from '../loading/load-timing.js';
