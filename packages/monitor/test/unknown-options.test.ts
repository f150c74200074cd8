import { describe, expect, it } from '@jest/globals';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import * as promClient from 'prom-client';
import { ConsoleMonitor, MemoryMonitor, MetricsRegistry, checkHealth, histogramSnapshot, Histogram } from '../src/index.js';
import { bridgeToOpenTelemetry } from '../src/opentelemetry.js';
import { PrometheusExporter } from '../src/prometheus.js';

const unknown = (key: string, hint: string): TypeError => new TypeError(`Expected \`options\` to have only known keys, got unknown key \`${key}\`; ${hint}`);

describe('unknown option keys', () => {
  it('monitors and checkHealth refuse a typo, naming the option it most likely meant', async () => {
    expect(() => new MemoryMonitor({ capacty: 10 } as never)).toThrow(unknown('capacty', 'did you mean `capacity`?'));
    expect(() => new ConsoleMonitor({ writer: () => undefined } as never)).toThrow(unknown('writer', 'did you mean `write`?'));
    await expect(checkHealth([], { timeout: 5 } as never)).rejects.toThrow(unknown('timeout', 'did you mean `timeoutMs`?'));
  });

  it('each metric factory knows its own keys', () => {
    const metrics = new MetricsRegistry();
    expect(() => metrics.counter('c', { lables: {} } as never)).toThrow(unknown('lables', 'did you mean `labels`?'));
    expect(() => metrics.counter('c', { read: () => 1 } as never)).toThrow(unknown('read', 'known keys: help, labels'));
    expect(() => metrics.gauge('g', { exportBounds: [1] } as never)).toThrow(unknown('exportBounds', 'known keys: help, labels, read'));
    expect(() => metrics.histogram('h', { exportBound: [1] } as never)).toThrow(unknown('exportBound', 'did you mean `exportBounds`?'));
    expect(() => histogramSnapshot('h', new Histogram(), { hlp: 'x' } as never)).toThrow(unknown('hlp', 'did you mean `help`?'));
    expect(metrics.gauge('g', { help: 'x', labels: {}, read: () => 1 }).value).toBe(1);
  });

  it('the exporters refuse a typo', () => {
    const metrics = new MetricsRegistry();
    expect(() => new PrometheusExporter(metrics, { client: promClient, prefx: 'app_' } as never)).toThrow(unknown('prefx', 'did you mean `prefix`?'));
    const meter = new MeterProvider().getMeter('test');
    expect(() => bridgeToOpenTelemetry(metrics, meter, { perfix: 'x.' } as never)).toThrow(unknown('perfix', 'did you mean `prefix`?'));
  });
});
