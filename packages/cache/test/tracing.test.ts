import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanStatusCode, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createOpenTelemetryTracer } from '@patinox/monitor/opentelemetry';
import { CACHE_LOADER_FAILED, Cache } from '../src/index.js';
import { MemoryBackend, TieredCache } from '../src/tiered/index.js';

// Cache and TieredCache spans through the OpenTelemetry bridge, recorded by the SDK's in-memory exporter.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const otel = provider.getTracer('cache-test');
const tracer = createOpenTelemetryTracer(otel);

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

const names = (): string[] => exporter.getFinishedSpans().map((s) => s.name);

describe('Cache tracing', () => {
  it('records a cache.load span per loader run, nested under the caller and parent of the loader work, and none for hits', async () => {
    const cache = new Cache<string, string>({ maxEntries: 10, name: 'users', tracer });
    await otel.startActiveSpan('request', async (request) => {
      await cache.getOrLoad('u1', async () => {
        await otel.startActiveSpan('db.query', async (query) => {
          await new Promise((r) => setTimeout(r, 1));
          query.end();
        });
        return 'Ada';
      });
      await cache.getOrLoad('u1', async () => 'never');
      request.end();
    });
    expect(names()).toEqual(['db.query', 'cache.load', 'request']);
    const [query, load, request] = exporter.getFinishedSpans();
    expect(load!.attributes).toEqual({ 'cache.name': 'users', 'cache.refresh': false });
    expect(load!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(query!.parentSpanContext?.spanId).toBe(load!.spanContext().spanId);
  });

  it('marks the span of a failed loader, and regions inherit the tracer', async () => {
    const cache = new Cache<string, string>({ maxEntries: 10, tracer });
    await expect(cache.region('r').getOrLoad('k', () => Promise.reject(new Error('db down')))).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('cache.load');
    expect(span!.attributes['cache.name']).toBe('cache/r');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'db down' });
  });

  it('refuses a tracer that is not a TraceHook', () => {
    expect(() => new Cache({ maxEntries: 1, tracer: { span: 'no' } as never })).toThrow('Expected `tracer` to be a TraceHook');
  });
});

describe('TieredCache tracing', () => {
  it('records a span per L2 call and per loader run, none for L1 hits', async () => {
    const cache = new TieredCache<string>({ l2: new MemoryBackend(), namespace: 'traced', tracer });
    await otel.startActiveSpan('request', async (request) => {
      await cache.set('a', 'A');
      await cache.get('a'); // L1 hit
      await cache.get('a', { consistent: true });
      await cache.getOrLoad('b', async () => 'B');
      request.end();
    });
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request')!;
    const traced = spans.filter((s) => s.name !== 'request');
    expect(traced.map((s) => s.name)).toEqual(expect.arrayContaining(['cache.l2.set', 'cache.l2.get', 'cache.load']));
    expect(traced.filter((s) => s.name === 'cache.l2.get').length).toBeGreaterThanOrEqual(2); // consistent get + getOrLoad's miss
    for (const span of traced) {
      expect(span.attributes['cache.namespace']).toBe('traced');
      expect(span.spanContext().traceId).toBe(request.spanContext().traceId);
    }
    const before = exporter.getFinishedSpans().length;
    await cache.get('a');
    await cache.get('b');
    expect(exporter.getFinishedSpans().length).toBe(before);
    await cache.close();
  });
});
