import { fileURLToPath } from 'node:url';
import { twoIoredisMajors } from '../../jest.base.mjs';

// Every test against ioredis 5, and the Redis tests again against ioredis 6: the peer range allows both
// majors (src/internal/peers.ts loads whichever is installed).
export default twoIoredisMajors(
  fileURLToPath(new URL('.', import.meta.url)),
  [
    'test/redis-backend.int.test.ts',
    // The conformance suite on standalone Redis and the cluster (it replaced tiered-redis.int.test.ts), and the bus.
    'test/conformance-redis.int.test.ts',
    'test/redis-bus.int.test.ts',
    'test/tiered-coherence.int.test.ts',
    'test/ioredis-major.int.test.ts',
    // The CLI, in process (its commands load the mapped major); the built-bin cases resolve ioredis 5 from
    // this package's node_modules either way.
    'test/cli.test.ts',
    'test/cli-cluster.int.test.ts',
    'test/cli-tls.int.test.ts',
  ],
  // One shared 3-master Redis Cluster for the whole run (tools/test-servers), ports passed by env var.
  { globalSetup: '<rootDir>/test/setup/cluster-setup.mjs', globalTeardown: '<rootDir>/test/setup/cluster-teardown.mjs' },
);
