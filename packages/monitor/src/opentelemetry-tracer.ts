import type { Span, SpanStatusCode, Tracer } from '@opentelemetry/api';
import { describeThrown, describeValue, toError } from '@patinox/errors';
import type { TraceAttributes, TraceHook, TraceSpan } from './tracing.js';

// The value of `SpanStatusCode.ERROR` (part of the stable OpenTelemetry API), written out so that this
// subpath imports nothing from `@opentelemetry/api` at run time: the caller brings the Tracer, and
// `import '@patinox/monitor/opentelemetry'` works whether or not the API package is installed.
const SPAN_STATUS_ERROR = 2 as SpanStatusCode.ERROR;

// Runs on whatever the traced work threw, hostile values included (a getter that throws, a Proxy):
// marking the span must never replace the work's own error with one of its own.
function fail(span: Span, error: unknown): void {
  const err = toError(error);
  try {
    span.recordException(err);
  } catch {
    // an exception the SDK cannot read: the status below still says the span failed
  }
  let type = 'Error';
  try {
    const code = (error as { code?: unknown } | null)?.code;
    const name = err.name as unknown;
    type = typeof code === 'string' ? code : typeof name === 'string' ? name : type;
  } catch {
    // keep 'Error'
  }
  span.setAttribute('error.type', type);
  span.setStatus({ code: SPAN_STATUS_ERROR, message: describeThrown(error) });
}

/**
 * A {@link TraceHook} that records spans with an OpenTelemetry `Tracer` (from `@opentelemetry/api`, an
 * optional peer this subpath needs only for its types; bring your own SDK). Each span becomes the active span while
 * the traced work starts, so work it starts (a connect inside an acquire, a query inside a loader) nests
 * under it; parentage across `await`s needs the SDK's async context manager, as usual with OpenTelemetry.
 * A failed span gets the exception, status ERROR and `error.type` (the Patinox code when there is one).
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { createOpenTelemetryTracer } from '@patinox/monitor/opentelemetry';
 *
 * const tracer = createOpenTelemetryTracer(trace.getTracer('my-service'));
 * const pool = new Pool(manager, { tracer });
 * ```
 */
export function createOpenTelemetryTracer(tracer: Tracer): TraceHook {
  if (typeof tracer !== 'object' || tracer === null || typeof tracer.startActiveSpan !== 'function') {
    throw new TypeError(`Expected \`tracer\` to be an OpenTelemetry Tracer (with startActiveSpan()), got ${describeValue(tracer)}`);
  }
  return {
    span<T>(name: string, attributes: TraceAttributes, fn: (span: TraceSpan) => T | Promise<T>): Promise<T> {
      return tracer.startActiveSpan(name, { attributes }, (span) => {
        let result: T | Promise<T>;
        try {
          result = fn(span);
        } catch (error) {
          fail(span, error);
          span.end();
          return Promise.reject(toError(error));
        }
        return Promise.resolve(result).then(
          (value) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            fail(span, error);
            span.end();
            // As a synchronous throw above: an Error as is, anything else wrapped (its `value` is what was rejected).
            throw toError(error);
          },
        );
      });
    },
  };
}
