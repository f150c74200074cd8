import { fileURLToPath } from 'node:url';
import jestConfig from '../../jest.base.mjs';

// Two projects in one run (one coverage report, one test-results.json): every test against ioredis 5, and
// the Redis integration tests again against ioredis 6 (the `ioredis6` alias, `npm:ioredis@^6`): the peer
// range of `@patinox/pool/ioredis` allows both majors, so both are tested. The mapper also reaches the
// package's own lazy `require('ioredis')` (src/ioredis/peer.ts), since jest resolves that too.
const rootDir = fileURLToPath(new URL('.', import.meta.url));
const { coverageProvider, coverageReporters, coverageThreshold, collectCoverageFrom, testTimeout, ...project } = jestConfig();

export default {
  coverageProvider,
  coverageReporters,
  coverageThreshold,
  collectCoverageFrom,
  testTimeout,
  projects: [
    { ...project, rootDir, displayName: 'ioredis 5', globals: { IOREDIS_MAJOR: 5 } },
    {
      ...project,
      rootDir,
      displayName: 'ioredis 6',
      globals: { IOREDIS_MAJOR: 6 },
      testMatch: ['<rootDir>/test/ioredis.int.test.ts', '<rootDir>/test/redis.int.test.ts', '<rootDir>/test/ioredis-major.int.test.ts'],
      moduleNameMapper: { ...project.moduleNameMapper, '^ioredis(/.*)?$': 'ioredis6$1' },
    },
  ],
};
