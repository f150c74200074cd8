export { ALLOWED_INTERNAL_DEPENDENCIES, checkDependencyShape, readManifests } from './check-deps.js';
export { packAndInstall } from './pack-check.js';
export type { PackedProject } from './pack-check.js';
export type { PackageManifest, ShapeViolation } from './check-deps.js';
