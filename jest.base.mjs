// Shared jest configuration: ts-jest in ESM mode (see TOOLCHAIN.md), v8 coverage.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Source files that hold only types (interfaces, option bags): they compile to nothing, are never loaded, and
 * v8 coverage would count every line of them as missed. Left out of the coverage denominator.
 */
function typeOnlySources(dir) {
  const out = [];
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = ts.transpileModule(readFileSync(path, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true } }).outputText;
        if (js.replace(/export \{\};?/g, '').trim() === '') out.push(path);
      }
    }
  };
  walk(dir);
  return out;
}

export default function jestConfig(overrides = {}) {
  const root = process.cwd();
  const typeOnly = typeOnlySources(join(root, 'src')).map((path) => `!<rootDir>/${relative(root, path)}`);
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
    },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    collectCoverageFrom: ['<rootDir>/src/**/*.ts', ...typeOnly],
    coverageProvider: 'v8',
    coverageReporters: ['text-summary', 'json-summary'],
    coverageThreshold: { global: { lines: 90 } },
    testTimeout: 20_000,
    ...overrides,
  };
}

/**
 * Two projects in one run (one coverage report, one test-results.json) for a package whose optional
 * `ioredis` peer range allows majors 5 and 6: every test against ioredis 5 (the devDependency), and the
 * files in `ioredis6Tests` again against ioredis 6 (the `ioredis6` alias, `npm:ioredis@^6`). The mapper
 * also reaches the package's own lazy `require('ioredis')`, since jest resolves that too. `extra` holds
 * top-level options (a globalSetup, say).
 */
export function twoIoredisMajors(rootDir, ioredis6Tests, extra = {}) {
  const { coverageProvider, coverageReporters, coverageThreshold, collectCoverageFrom, testTimeout, ...project } = jestConfig();
  return {
    coverageProvider,
    coverageReporters,
    coverageThreshold,
    collectCoverageFrom,
    testTimeout,
    ...extra,
    projects: [
      { ...project, rootDir, displayName: 'ioredis 5', globals: { IOREDIS_MAJOR: 5 } },
      {
        ...project,
        rootDir,
        displayName: 'ioredis 6',
        globals: { IOREDIS_MAJOR: 6 },
        testMatch: ioredis6Tests.map((file) => `<rootDir>/${file}`),
        moduleNameMapper: { ...project.moduleNameMapper, '^ioredis(/.*)?$': 'ioredis6$1' },
      },
    ],
  };
}
