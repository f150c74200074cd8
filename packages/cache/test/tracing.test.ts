import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import { inMemoryTracing } from '@patinox/test-servers/tracing';
import { createOpenTelemetryTracer } from '@patinox/monitor/opentelemetry';
import { CACHE_LOADER_FAILED, Cache } from '../src/index.js';
import { MemoryBackend, TieredCache } from '../src/tiered/index.js';

// Cache and TieredCache spans through the OpenTelemetry bridge, recorded by the SDK's in-memory exporter.
const tracing = inMemoryTracing('cache-test');
const { exporter, otel } = tracing;
const tracer = createOpenTelemetryTracer(otel);

beforeAll(() => tracing.install());
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.reset());

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

describe('TieredCache tier spans', () => {
  const byName = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);

  it('wraps get, getOrLoad and set in spans with cache.l1.hit, nesting the L2 and load spans under them', async () => {
    const cache = new TieredCache<string>({ l2: new MemoryBackend(), namespace: 'tier', tracer });
    await cache.set('a', 'A');
    const [set] = byName('cache.set');
    expect(set!.attributes).toEqual({ 'cache.namespace': 'tier' });
    expect(byName('cache.l2.set')[0]!.parentSpanContext?.spanId).toBe(set!.spanContext().spanId);

    exporter.reset();
    await cache.get('a', { consistent: true });
    const [get] = byName('cache.get');
    expect(get!.attributes).toEqual({ 'cache.namespace': 'tier', 'cache.l1.hit': false });
    const [l2get] = byName('cache.l2.get');
    expect(l2get!.parentSpanContext?.spanId).toBe(get!.spanContext().spanId);

    exporter.reset();
    await expect(cache.getOrLoad('b', async () => 'B')).resolves.toBe('B');
    const [getOrLoad] = byName('cache.getOrLoad');
    expect(getOrLoad!.attributes).toEqual({ 'cache.namespace': 'tier', 'cache.l1.hit': false });
    const load = byName('cache.load')[0]!;
    expect(load.parentSpanContext?.spanId).toBe(getOrLoad!.spanContext().spanId);
    const l2 = exporter.getFinishedSpans().filter((s) => s.name.startsWith('cache.l2.'));
    expect(l2.map((s) => s.name)).toEqual(expect.arrayContaining(['cache.l2.get', 'cache.l2.lock', 'cache.l2.set']));
    for (const span of l2) expect(span.spanContext().traceId).toBe(getOrLoad!.spanContext().traceId);
    expect(byName('cache.l2.get')[0]!.parentSpanContext?.spanId).toBe(getOrLoad!.spanContext().spanId);

    exporter.reset();
    await expect(cache.get('a')).resolves.toBe('A');
    await expect(cache.getOrLoad('b', async () => 'never')).resolves.toBe('B');
    expect(exporter.getFinishedSpans()).toEqual([]);

    await expect(cache.get('missing')).resolves.toBeUndefined();
    const [miss] = byName('cache.get');
    expect(miss!.attributes['cache.l1.hit']).toBe(false);
    expect(byName('cache.l2.get')[0]!.parentSpanContext?.spanId).toBe(miss!.spanContext().spanId);
    await cache.close();
  });

  it('records the PTTL read that bounds an L1 fill as cache.l2.ttl, nested like its cache.l2.get / getMany sibling', async () => {
    const l2 = new MemoryBackend();
    const writer = new TieredCache<string>({ l2, namespace: 'fill' });
    await writer.setMany([
      { key: 'a', value: 'A', ttlMs: 60_000 },
      { key: 'b', value: 'B', ttlMs: 60_000 },
      { key: 'c', value: 'C', ttlMs: 60_000 },
    ]);
    // Another instance's values: this cache's L1 has none, so each read fills L1 bounded by the key's PTTL.
    const cache = new TieredCache<string>({ l2, namespace: 'fill', tracer });
    exporter.reset();
    await expect(cache.get('a')).resolves.toBe('A');
    const [get] = byName('cache.get');
    const [ttl] = byName('cache.l2.ttl');
    expect(ttl!.attributes).toEqual(byName('cache.l2.get')[0]!.attributes);
    expect(ttl!.parentSpanContext?.spanId).toBe(get!.spanContext().spanId);

    exporter.reset();
    await otel.startActiveSpan('request', async (request) => {
      await expect(cache.getMany(['b', 'c'])).resolves.toEqual(['B', 'C']);
      request.end();
    });
    const [request] = byName('request');
    const ttls = byName('cache.l2.ttl');
    expect(ttls).toHaveLength(2);
    for (const span of [...ttls, ...byName('cache.l2.getMany')]) {
      expect(span.attributes).toEqual({ 'cache.namespace': 'fill' });
      expect(span.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    }
    // L1 now holds them: no more L2 spans.
    exporter.reset();
    await cache.getMany(['a', 'b', 'c']);
    expect(exporter.getFinishedSpans()).toEqual([]);
    await writer.close();
    await cache.close();
  });

  it('counts L1 hits and misses the same with and without a tracer', async () => {
    const plain = new TieredCache<string>({ l2: new MemoryBackend(), namespace: 'plain' });
    const traced = new TieredCache<string>({ l2: new MemoryBackend(), namespace: 'traced2', tracer });
    for (const cache of [plain, traced]) {
      await cache.set('a', 'A');
      await cache.get('a');
      await cache.get('nope');
      await cache.getOrLoad('b', async () => 'B');
      await cache.getOrLoad('b', async () => 'never');
    }
    expect(traced.stats().l1).toEqual(plain.stats().l1);
    await plain.close();
    await traced.close();
  });

  it('records L1 hits with traceL1Hits, and marks a failed read span', async () => {
    const cache = new TieredCache<string>({ l2: new MemoryBackend(), namespace: 'hits', tracer, traceL1Hits: true });
    await cache.set('a', 'A');
    exporter.reset();
    await expect(cache.get('a')).resolves.toBe('A');
    await expect(cache.getOrLoad('a', async () => 'never')).resolves.toBe('A');
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes['cache.l1.hit']])).toEqual([
      ['cache.get', true],
      ['cache.getOrLoad', true],
    ]);
    exporter.reset();
    await expect(cache.getOrLoad('x', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    const [span] = byName('cache.getOrLoad');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'db down' });
    await cache.close();
  });

  it('refuses a traceL1Hits that is not a boolean', () => {
    expect(() => new TieredCache({ l2: new MemoryBackend(), namespace: 'bad', tracer, traceL1Hits: 'yes' as never })).toThrow('`traceL1Hits`');
  });
});
