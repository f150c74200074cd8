import { isPatinoxError } from '@patinox/errors';
import type { HealthCheck, HealthResult } from '@patinox/monitor';
import { MMAP_FILE_TRUNCATED } from '../errors.js';
import type { MappingCore } from './mapping-core.js';

/**
 * @internal The health check of a mapping: `down` once closed or poisoned by a truncation, else `degraded` when the file size cannot be re-checked, else `up` after
 * re-checking the file size (a check that finds the file truncated poisons the views, as `verify()` does).
 */
export function mappingHealthCheck(core: MappingCore, kind: string): HealthCheck {
  return {
    name: `mmap.${kind}:${core.name}`,
    check: (): HealthResult => {
      const details: Record<string, unknown> = { path: core.path, byteLength: core.byteLength, windowed: core.windowed, fallback: core.isFallback };
      if (core.closed) return { status: 'down', details: { ...details, reason: core.closedBy === 'truncation' ? 'truncated' : 'closed' } };
      try {
        core.verify();
      } catch (err) {
        if (isPatinoxError(err, MMAP_FILE_TRUNCATED)) return { status: 'down', details: { ...details, reason: 'truncated' } };
        // The mapping still serves reads; only the size check could not run.
        return { status: 'degraded', details: { ...details, reason: 'stat failed' } };
      }
      return { status: 'up', details };
    },
  };
}
