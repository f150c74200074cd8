// @patinox/monitor: instrumenting a request handler: a latency histogram and counters it owns, a
// component's metrics pulled by a collector, lifecycle events in a monitor, and a health check.
import { MemoryMonitor, MetricsRegistry, checkHealth, createEvent } from '@patinox/monitor';

const metrics = new MetricsRegistry();
const latency = metrics.histogram('http_request_duration_ms', { help: 'Request latency in ms', labels: { route: '/orders' } });
const errors = metrics.counter('http_errors_total', { help: 'Failed requests', labels: { route: '/orders' } });
const monitor = new MemoryMonitor({ capacity: 100 });

// A component that keeps its own plain counters, read only when someone collects.
const queue = { depth: 3, processed: 0 };
metrics.addCollector(() => [
  { type: 'gauge', name: 'queue_depth', help: 'Jobs waiting', labels: {}, value: queue.depth },
  { type: 'counter', name: 'queue_processed_total', help: 'Jobs done', labels: {}, value: queue.processed },
]);

async function handleOrder(i) {
  const started = performance.now();
  try {
    await new Promise((resolve) => setTimeout(resolve, i % 10 === 0 ? 25 : 1)); // every tenth request is slow
    if (i % 50 === 49) throw new Error('payment declined');
    queue.processed += 1;
  } catch (error) {
    errors.inc();
    monitor.record(createEvent('orders.failed', 'orders', { order: i, reason: error.message }));
  } finally {
    latency.record(performance.now() - started);
  }
}

monitor.record(createEvent('orders.started', 'orders', { workers: 4 }));
await Promise.all(Array.from({ length: 100 }, (_, i) => handleOrder(i)));

const s = latency.summary();
console.log(`requests ${s.count}, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, errors ${errors.value}`);
for (const m of metrics.collect()) if (m.type !== 'histogram') console.log(`metric ${m.name} ${m.value}`);
console.log(`events: ${monitor.events('orders.').map((e) => e.type).join(', ')}`);

const report = await checkHealth(
  [
    { name: 'queue', check: () => (queue.depth < 10 ? { status: 'up' } : { status: 'degraded', message: 'backlog' }) },
    { name: 'payments', check: () => new Promise(() => {}) }, // hangs: reported down at the deadline
  ],
  { timeoutMs: 50 },
);
console.log(`health ${report.status}: ${report.checks.map((c) => `${c.name}=${c.status}`).join(', ')}`);
