#!/usr/bin/env bash
# Usage: tools/scripts/new-package.sh NAME "one-line description"
set -euo pipefail
name=$1; desc=$2; dir=packages/$name
mkdir -p "$dir/src/internal" "$dir/test" "$dir/bench"
cat > "$dir/package.json" <<JSON
{
  "name": "@patinox/$name",
  "version": "0.0.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=20.19" },
  "files": ["dist"],
  "main": "./dist/cjs/index.js",
  "module": "./dist/esm/index.js",
  "types": "./dist/cjs/index.d.ts",
  "exports": {
    ".": {
      "import": { "types": "./dist/esm/index.d.ts", "default": "./dist/esm/index.js" },
      "require": { "types": "./dist/cjs/index.d.ts", "default": "./dist/cjs/index.js" }
    },
    "./package.json": "./package.json"
  },
  "scripts": {
    "build": "node ../../tools/scripts/build-package.mjs",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "lint": "eslint src test --max-warnings 0",
    "test": "NODE_OPTIONS='--experimental-vm-modules --no-warnings' jest --coverage --json --outputFile=test-results.json",
    "bench": "node ../../tools/scripts/run-bench.mjs"
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "rootDir": "." },
  "include": ["src", "test", "bench"]
}
JSON
cat > "$dir/tsconfig.esm.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist/esm" },
  "include": ["src"]
}
JSON
cat > "$dir/tsconfig.cjs.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist/cjs", "module": "CommonJS", "moduleResolution": "Node10" },
  "include": ["src"]
}
JSON
cat > "$dir/jest.config.mjs" <<'JS'
import jestConfig from '../../jest.base.mjs';

export default jestConfig();
JS
