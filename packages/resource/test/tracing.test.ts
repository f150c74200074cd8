import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import { inMemoryTracing } from '@patinox/test-servers/tracing';
import { eventually } from '@patinox/test-servers';
import { createOpenTelemetryTracer } from '@patinox/monitor/opentelemetry';
import { CleanupPriority, RESOURCE_CLEANUP_FAILED, ResourceRegistry, guard } from '../src/index.js';

// Shutdown spans through the OpenTelemetry bridge, recorded by the SDK's in-memory exporter.
const tracing = inMemoryTracing('resource-test');
const { exporter, otel } = tracing;
const tracer = createOpenTelemetryTracer(otel);

beforeAll(() => tracing.install());
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.reset());

describe('shutdown tracing', () => {
  it('records resource.shutdown with a resource.cleanup child per cleanup (name, priority, outcome)', async () => {
    const registry = new ResourceRegistry({ name: 'svc', tracer, concurrency: 1, maxRetries: 0, trackLeaks: false });
    guard('db', () => undefined, { registry, name: 'db', priority: CleanupPriority.Critical });
    guard('cache', async () => new Promise((r) => setTimeout(r, 2)), { registry, name: 'cache', priority: CleanupPriority.Low });
    guard('socket', () => {
      throw new Error('socket stuck');
    }, { registry, name: 'socket' });
    const kept = guard('file', () => undefined, { registry, name: 'file' });
    await otel.startActiveSpan('main', async (main) => {
      const report = await registry.shutdown();
      expect(report.cleaned).toBe(3);
      main.end();
    });
    expect(kept.isCleanedUp).toBe(true);
    const spans = exporter.getFinishedSpans();
    const main = spans.find((s) => s.name === 'main')!;
    const shutdown = spans.find((s) => s.name === 'resource.shutdown')!;
    expect(shutdown.parentSpanContext?.spanId).toBe(main.spanContext().spanId);
    expect(shutdown.attributes).toEqual({
      'resource.registry': 'svc',
      'resource.active': 4,
      'resource.cleaned': 3,
      'resource.failed': 1,
      'resource.complete': false,
    });
    const cleanups = spans.filter((s) => s.name === 'resource.cleanup');
    expect(cleanups).toHaveLength(4);
    for (const span of cleanups) expect(span.parentSpanContext?.spanId).toBe(shutdown.spanContext().spanId);
    const byName = Object.fromEntries(cleanups.map((s) => [s.attributes['resource.name'], s]));
    expect(byName.db!.attributes).toEqual({ 'resource.name': 'db', 'resource.priority': CleanupPriority.Critical, 'resource.outcome': 'cleaned' });
    expect(byName.cache!.attributes).toEqual({ 'resource.name': 'cache', 'resource.priority': CleanupPriority.Low, 'resource.outcome': 'cleaned' });
    expect(byName.file!.attributes['resource.outcome']).toBe('cleaned');
    expect(byName.socket!.attributes).toMatchObject({ 'resource.outcome': 'failed', 'error.type': RESOURCE_CLEANUP_FAILED });
    expect(byName.socket!.status.code).toBe(SpanStatusCode.ERROR);
    expect(byName.db!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks a resource handed back before its turn handed-back', async () => {
    const registry = new ResourceRegistry({ tracer, concurrency: 1, trackLeaks: false });
    let finish!: () => void;
    guard('first', () => new Promise<void>((r) => (finish = r)), { registry, name: 'first', priority: CleanupPriority.Critical });
    const handed = guard('handle', () => undefined, { registry, name: 'handle' });
    const shutdown = registry.shutdown();
    handed.intoInner();
    finish();
    const report = await shutdown;
    expect(report).toMatchObject({ cleaned: 1, handedBack: 1, complete: true });
    const outcomes = Object.fromEntries(exporter.getFinishedSpans().filter((s) => s.name === 'resource.cleanup').map((s) => [s.attributes['resource.name'], s.attributes['resource.outcome']]));
    expect(outcomes).toEqual({ first: 'cleaned', handle: 'handed-back' });
  });

  it('ends the shutdown span at the deadline and marks a cleanup that settles after it late', async () => {
    const registry = new ResourceRegistry({ tracer, timeoutMs: 1000, trackLeaks: false });
    let finish!: () => void;
    guard('slow', () => new Promise<void>((r) => (finish = r)), { registry, name: 'slow' });
    const report = await registry.shutdown({ deadlineMs: 20 });
    expect(report.complete).toBe(false);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['resource.shutdown']);
    finish();
    await eventually(() => exporter.getFinishedSpans().some((s) => s.name === 'resource.cleanup'));
    const slow = exporter.getFinishedSpans().find((s) => s.name === 'resource.cleanup')!;
    expect(slow.attributes).toMatchObject({ 'resource.name': 'slow', 'resource.outcome': 'late' });
  });

  it('makes no span for shutdown without a tracer, nor for explicit cleanups with one', async () => {
    const traced = new ResourceRegistry({ tracer, trackLeaks: false });
    await guard('x', () => undefined, { registry: traced }).cleanup();
    expect(exporter.getFinishedSpans()).toEqual([]);
    await new ResourceRegistry({ trackLeaks: false }).shutdown();
    expect(exporter.getFinishedSpans()).toEqual([]);
    await traced.shutdown();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['resource.shutdown']);
  });

  it('refuses a tracer that is not a TraceHook', () => {
    expect(() => new ResourceRegistry({ tracer: { span: 1 } as never })).toThrow('Expected `tracer` to be a TraceHook');
  });
});
