import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import { inMemoryTracing } from '@patinox/test-servers/tracing';
import { createOpenTelemetryTracer } from '@patinox/monitor/opentelemetry';
import { POOL_TIMEOUT, Pool } from '../src/index.js';
import { FakeManager } from './helpers.js';

// Pool spans through the OpenTelemetry bridge, recorded by the SDK's in-memory exporter.
const tracing = inMemoryTracing('pool-test');
const { exporter, otel } = tracing;
const tracer = createOpenTelemetryTracer(otel);

beforeAll(() => tracing.install());
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.reset());

describe('Pool tracing', () => {
  it('records pool.acquire spans, with pool.connect nested under the acquire that opened the connection', async () => {
    const pool = new Pool(new FakeManager(), { name: 'db', tracer, maxSize: 1 });
    await otel.startActiveSpan('request', async (request) => {
      const first = await pool.acquire();
      first.release();
      await pool.use(() => undefined);
      request.end();
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['pool.acquire', 'pool.acquire', 'pool.connect', 'request']);
    const request = spans.find((s) => s.name === 'request')!;
    const acquires = spans.filter((s) => s.name === 'pool.acquire');
    const connect = spans.find((s) => s.name === 'pool.connect')!;
    for (const acquire of acquires) {
      expect(acquire.attributes).toEqual({ 'pool.name': 'db' });
      expect(acquire.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    }
    expect(acquires.map((a) => a.spanContext().spanId)).toContain(connect.parentSpanContext?.spanId);
    await pool.close();
  });

  it('marks an acquire that timed out as failed with POOL_TIMEOUT, its span lasting the wait', async () => {
    const pool = new Pool(new FakeManager(), { tracer, maxSize: 1, acquireTimeoutMs: 30 });
    const held = await pool.acquire();
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_TIMEOUT });
    const failed = exporter.getFinishedSpans().filter((s) => s.name === 'pool.acquire' && s.status.code === SpanStatusCode.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attributes['error.type']).toBe(POOL_TIMEOUT);
    expect(failed[0]!.duration[0] * 1e3 + failed[0]!.duration[1] / 1e6).toBeGreaterThanOrEqual(25);
    held.release();
    await pool.close();
  });

  it('keeps the manager intact when tracing (recycle, watch and connectTimeoutMs reach the pool)', async () => {
    const manager = new FakeManager();
    let recycled = 0;
    const withRecycle = Object.assign(manager, { recycle: () => void (recycled += 1), connectTimeoutMs: 50 });
    const pool = new Pool(withRecycle, { tracer });
    const loan = await pool.acquire();
    loan.connection.emit('error', new Error('broken'));
    loan.release();
    expect(pool.stats().size).toBe(0);
    await pool.use(() => undefined);
    expect(recycled).toBe(1);
    await pool.close();
  });

  it('refuses a tracer that is not a TraceHook', () => {
    expect(() => new Pool(new FakeManager(), { tracer: {} as never })).toThrow('Expected `tracer` to be a TraceHook');
  });
});
