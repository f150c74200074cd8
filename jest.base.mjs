// Shared jest configuration: ts-jest in ESM mode (see TOOLCHAIN.md), v8 coverage.
export default function jestConfig(overrides = {}) {
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
    },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    collectCoverageFrom: ['<rootDir>/src/**/*.ts'],
    coverageProvider: 'v8',
    coverageReporters: ['text-summary', 'json-summary'],
    coverageThreshold: { global: { lines: 90 } },
    testTimeout: 20_000,
    ...overrides,
  };
}
