export { ALLOWED_INTERNAL_DEPENDENCIES, checkDependencyShape, readManifests } from './check-deps.js';
export type { PackageManifest, ShapeViolation } from './check-deps.js';
