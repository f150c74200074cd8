#!/usr/bin/env node
import { resolve } from 'node:path';
import { checkDependencyShape, readManifests } from './check-deps.js';

const root = resolve(process.argv[2] ?? process.cwd());
const manifests = readManifests(root);
const violations = checkDependencyShape(manifests);
if (violations.length > 0) {
  for (const violation of violations) console.error(`dependency shape: ${violation.message}`);
  process.exitCode = 1;
} else {
  console.log(`dependency shape holds for ${manifests.length} packages`);
}
