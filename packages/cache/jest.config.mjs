import { fileURLToPath } from 'node:url';
import jestConfig from '../../jest.base.mjs';

// Two projects in one run (one coverage report, one test-results.json): every test against ioredis 5, and
// the Redis integration tests again against ioredis 6 (the `ioredis6` alias, `npm:ioredis@^6`): the peer
// range allows both majors, so both are tested. The mapper also reaches the package's own lazy
// `require('ioredis')` (src/internal/peers.ts), since jest resolves that too.
const rootDir = fileURLToPath(new URL('.', import.meta.url));
const { coverageProvider, coverageReporters, coverageThreshold, collectCoverageFrom, testTimeout, ...project } = jestConfig();

export default {
  coverageProvider,
  coverageReporters,
  coverageThreshold,
  collectCoverageFrom,
  testTimeout,
  // One shared 3-master Redis Cluster for the whole run (tools/test-servers), ports passed by env var.
  globalSetup: '<rootDir>/test/setup/cluster-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/cluster-teardown.mjs',
  projects: [
    { ...project, rootDir, displayName: 'ioredis 5', globals: { IOREDIS_MAJOR: 5 } },
    {
      ...project,
      rootDir,
      displayName: 'ioredis 6',
      globals: { IOREDIS_MAJOR: 6 },
      testMatch: [
        '<rootDir>/test/redis-backend.int.test.ts',
        // The conformance suite on standalone Redis and the cluster (it replaced tiered-redis.int.test.ts), and the bus.
        '<rootDir>/test/conformance-redis.int.test.ts',
        '<rootDir>/test/redis-bus.int.test.ts',
        '<rootDir>/test/tiered-coherence.int.test.ts',
        '<rootDir>/test/ioredis-major.int.test.ts',
        // The CLI, in process (its commands load the mapped major); the built-bin cases resolve ioredis 5 from
        // this package's node_modules either way.
        '<rootDir>/test/cli.test.ts',
        '<rootDir>/test/cli-cluster.int.test.ts',
        '<rootDir>/test/cli-tls.int.test.ts',
      ],
      moduleNameMapper: { ...project.moduleNameMapper, '^ioredis(/.*)?$': 'ioredis6$1' },
    },
  ],
};
