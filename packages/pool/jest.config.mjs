import { fileURLToPath } from 'node:url';
import { twoIoredisMajors } from '../../jest.base.mjs';

// Every test against ioredis 5, and the Redis integration tests again against ioredis 6: the peer range
// of `@patinox/pool/ioredis` allows both majors (src/ioredis/peer.ts loads whichever is installed).
export default twoIoredisMajors(fileURLToPath(new URL('.', import.meta.url)), [
  'test/ioredis.int.test.ts',
  'test/redis.int.test.ts',
  'test/ioredis-major.int.test.ts',
]);
