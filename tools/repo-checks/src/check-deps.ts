import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The dependency shape of the monorepo: which @patinox packages each package may depend on. */
export const ALLOWED_INTERNAL_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  '@patinox/errors': [],
  '@patinox/monitor': ['@patinox/errors'],
  '@patinox/pool': ['@patinox/errors', '@patinox/monitor'],
  '@patinox/resource': ['@patinox/errors', '@patinox/monitor'],
  '@patinox/shared': ['@patinox/errors', '@patinox/monitor'],
  '@patinox/mmap': ['@patinox/errors', '@patinox/monitor'],
  '@patinox/cache': ['@patinox/errors', '@patinox/monitor'],
};

/** Private tools may use any package of ours in development, never at run time of a published package. */
const DEV_ONLY_ALLOWED = new Set(['@patinox/test-servers']);

export interface PackageManifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface ShapeViolation {
  packageName: string;
  dependency: string;
  field: string;
  message: string;
}

/** Checks manifests against the allowed shape; returns every violation found (empty when the shape holds). */
export function checkDependencyShape(manifests: readonly PackageManifest[]): ShapeViolation[] {
  const violations: ShapeViolation[] = [];
  for (const manifest of manifests) {
    if (manifest.private === true) continue;
    const allowed = ALLOWED_INTERNAL_DEPENDENCIES[manifest.name];
    if (allowed === undefined) {
      violations.push({
        packageName: manifest.name,
        dependency: '',
        field: 'name',
        message: `${manifest.name} is a public package missing from the dependency shape; add it to ALLOWED_INTERNAL_DEPENDENCIES`,
      });
      continue;
    }
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const) {
      for (const dependency of Object.keys(manifest[field] ?? {})) {
        if (!dependency.startsWith('@patinox/')) continue;
        if (allowed.includes(dependency)) continue;
        if (field === 'devDependencies' && DEV_ONLY_ALLOWED.has(dependency)) continue;
        violations.push({
          packageName: manifest.name,
          dependency,
          field,
          message: `${manifest.name} must not depend on ${dependency} (in ${field}); allowed: ${allowed.length > 0 ? allowed.join(', ') : 'no @patinox package'}`,
        });
      }
    }
  }
  return violations;
}

/** Reads every `packages/*\/package.json` below `root`. */
export function readManifests(root: string): PackageManifest[] {
  const dir = join(root, 'packages');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json')))
    .map((entry) => JSON.parse(readFileSync(join(dir, entry.name, 'package.json'), 'utf8')) as PackageManifest);
}
