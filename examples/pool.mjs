// @patinox/pool: a pool of TCP connections to a line-based service (a local echo server stands in for
// a database or a cache server): bounded connections, fair queueing, deadlines, and stats.
import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { Pool, POOL_TIMEOUT } from '@patinox/pool';
import { isPatinoxError } from '@patinox/errors';

const server = createServer((socket) => socket.on('data', (data) => setTimeout(() => socket.write(data), 5)));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

// The manager is the only code that knows what a connection is.
const manager = {
  async create(signal) {
    const socket = connect({ port, host: '127.0.0.1', signal });
    await once(socket, 'connect');
    socket.setEncoding('utf8');
    return socket;
  },
  isValid: (socket) => !socket.destroyed,
  destroy: (socket) => socket.destroy(),
  watch: (socket, onError) => socket.on('error', onError),
};

/** Sends one line and waits for the echo: one request at a time per connection. */
async function request(socket, line) {
  socket.write(`${line}\n`);
  const [reply] = await once(socket, 'data');
  return reply.trim();
}

const pool = new Pool(manager, { name: 'echo', maxSize: 4, acquireTimeoutMs: 1_000 });
const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.use((socket) => request(socket, `order ${i}`))));
const stats = pool.stats();
console.log(`${replies.length} requests over ${stats.created} connections; last reply "${replies.at(-1)}"`);
console.log(`acquired ${stats.acquired}, idle ${stats.idle}, borrowed ${stats.borrowed}, p99 wait ${pool.acquireWaitHistogram.percentile(0.99).toFixed(1)} ms`);

// A caller that cannot wait long gets a coded timeout instead of hanging.
const held = await Promise.all(Array.from({ length: 4 }, () => pool.acquire()));
try {
  await pool.acquire({ timeoutMs: 50 });
} catch (error) {
  if (!isPatinoxError(error, POOL_TIMEOUT)) throw error;
  console.log(`busy pool: ${error.code} after 50 ms, recovery "${error.recovery}"`);
}
for (const loan of held) loan.release();

const report = await pool.close();
console.log(`closed: ${pool.stats().destroyed} connections destroyed, ${report.leaked.length} leaked`);
server.close();
