import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import { inMemoryTracing } from '@patinox/test-servers/tracing';
import { NonErrorThrown, PatinoxError } from '@patinox/errors';
import { expectTraceHook } from '../src/index.js';
import { createOpenTelemetryTracer } from '../src/opentelemetry.js';

const tracing = inMemoryTracing('patinox-test');
const { exporter, otel } = tracing;
const hook = createOpenTelemetryTracer(otel);

beforeAll(() => tracing.install());
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.reset());

describe('createOpenTelemetryTracer', () => {
  it('records a span with its name and attributes, ended when the work settles', async () => {
    const result = await hook.span('pool.acquire', { 'pool.name': 'db' }, async (span) => {
      span.setAttribute('pool.size', 3);
      await new Promise((r) => setTimeout(r, 5));
      return 42;
    });
    expect(result).toBe(42);
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('pool.acquire');
    expect(span!.attributes).toEqual({ 'pool.name': 'db', 'pool.size': 3 });
    expect(span!.status.code).toBe(0);
    expect(span!.duration[0] * 1e3 + span!.duration[1] / 1e6).toBeGreaterThanOrEqual(4);
  });

  it('marks a rejected span failed with the Patinox code, and rethrows the same error', async () => {
    const error = new PatinoxError('no connection', { code: 'POOL_TIMEOUT', recovery: 'retry' });
    await expect(hook.span('pool.acquire', {}, () => Promise.reject(error))).rejects.toBe(error);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: 2, message: 'no connection' });
    expect(span!.attributes['error.type']).toBe('POOL_TIMEOUT');
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('rethrows a hostile value the work threw (getters that throw, a Proxy) as it is, and still ends the span failed', async () => {
    const hostile = Object.create(Error.prototype, {
      message: { get: () => { throw new Error('message getter'); } },
      name: { get: () => { throw new Error('name getter'); } },
      code: { get: () => { throw new Error('code getter'); } },
    }) as Error;
    await expect(hook.span('async', {}, () => Promise.reject(hostile))).rejects.toBe(hostile);
    const proxy = new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('proto'); } });
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a hostile value is the point
    const thrown = await hook.span('sync', {}, () => { throw proxy; }).then(() => undefined, (e: unknown) => e);
    expect(thrown).toBeInstanceOf(Error);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.status.code])).toEqual([['async', SpanStatusCode.ERROR], ['sync', SpanStatusCode.ERROR]]);
  });

  it('ends a span whose work throws synchronously, and accepts plain values', async () => {
    await expect(
      hook.span('cache.load', {}, () => {
        throw new TypeError('bad');
      }),
    ).rejects.toThrow('bad');
    expect(await hook.span('cache.load', {}, () => 'sync')).toBe('sync');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.status.code, s.attributes['error.type']])).toEqual([
      ['cache.load', 2, 'TypeError'],
      ['cache.load', 0, undefined],
    ]);
  });

  it('nests spans started inside the work under it, across awaits', async () => {
    await hook.span('outer', {}, async () => {
      await new Promise((r) => setTimeout(r, 1));
      await hook.span('inner', {}, async () => undefined);
    });
    const spans = exporter.getFinishedSpans();
    const outer = spans.find((s) => s.name === 'outer')!;
    const inner = spans.find((s) => s.name === 'inner')!;
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
  });

  it('refuses what is not a Tracer', () => {
    expect(() => createOpenTelemetryTracer({} as never)).toThrow('Expected `tracer` to be an OpenTelemetry Tracer');
  });
});

describe('expectTraceHook', () => {
  it('accepts undefined and hooks, and names the option otherwise', () => {
    expect(expectTraceHook('tracer', undefined)).toBeUndefined();
    expect(expectTraceHook('tracer', hook)).toBe(hook);
    expect(() => expectTraceHook('tracer', { span: 1 })).toThrow('Expected `tracer` to be a TraceHook (an object with span()), got');
  });
});

describe('createOpenTelemetryTracer with work that fails with a non-Error', () => {
  it('wraps a thrown and a rejected non-Error alike (NonErrorThrown, value kept), and passes an Error through as is', async () => {
    const traced = hook;
    for (const value of ['a string', { reason: 'an object' }, 42]) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is the point
      const sync = await traced.span('sync', {}, () => { throw value; }).then(() => undefined, (e: unknown) => e);
      const async = await traced.span('async', {}, () => Promise.reject(value as unknown as Error)).then(() => undefined, (e: unknown) => e);
      for (const error of [sync, async]) {
        expect(error).toBeInstanceOf(NonErrorThrown);
        expect((error as NonErrorThrown).value).toBe(value);
      }
    }
    const original = new Error('kept');
    await expect(traced.span('async', {}, () => Promise.reject(original))).rejects.toBe(original);
  });
});
