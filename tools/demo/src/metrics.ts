import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsRegistry, type Counter, type Histogram } from '@patinox/monitor';
import { PrometheusExporter } from '@patinox/monitor/prometheus';
import type { Resources } from './resources.js';

/** The demo's own metrics; the packages' metrics join them through `metrics.addCollector`. */
export interface DemoMetrics {
  metrics: MetricsRegistry;
  requests: Counter;
  failures: Counter;
  loads: Counter;
  /** Request latency in ms, from the stream's point of view (queueing included). */
  latency: Histogram;
}

export function createDemoMetrics(): DemoMetrics {
  const metrics = new MetricsRegistry();
  return {
    metrics,
    requests: metrics.counter('demo_requests_total', { help: 'Requests answered' }),
    failures: metrics.counter('demo_request_failures_total', { help: 'Requests that failed' }),
    loads: metrics.counter('demo_price_loads_total', { help: 'Cache misses that priced a product' }),
    latency: metrics.histogram('demo_request_latency_ms', { help: 'Request latency in ms' }),
  };
}

/**
 * Serves `metrics` in the Prometheus text format on http://127.0.0.1:<port>/metrics (port 0: any free
 * port) until the registry shuts down; resolves with the URL.
 */
export async function serveMetrics(metrics: MetricsRegistry, port: number, resources: Resources): Promise<string> {
  const exporter = new PrometheusExporter(metrics);
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('Not found: try /metrics\n');
      return;
    }
    exporter.metrics().then(
      (text) => response.writeHead(200, { 'content-type': exporter.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  resources.guard(server, closeServer, { name: `metrics server ${url}` });
  return url;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}
