import { describeValue } from '@patinox/errors';

/** Attribute values a span accepts (OpenTelemetry's primitive attribute values). */
export type TraceAttributes = Record<string, string | number | boolean>;

/** The span a {@link TraceHook} hands to the traced work, for attributes known only inside it. */
export interface TraceSpan {
  setAttribute(key: string, value: string | number | boolean): void;
}

/**
 * How a component reports spans without depending on a tracing library: the pool and the caches take
 * an optional `tracer` of this shape and, when none is given, never build a span, an attribute object
 * or a closure (one field check on the traced paths). `@patinox/monitor/opentelemetry`'s
 * `createOpenTelemetryTracer(tracer)` makes one from an OpenTelemetry `Tracer`.
 */
export interface TraceHook {
  /**
   * Runs `fn` inside a span named `name`, a child of the span active at the call, and ends the span when
   * `fn`'s result settles; a throw or rejection marks the span failed and passes through: an `Error` unchanged,
   * a non-Error (thrown or rejected alike) wrapped by `toError` in a `NonErrorThrown` whose `value` it is.
   */
  span<T>(name: string, attributes: TraceAttributes, fn: (span: TraceSpan) => T | Promise<T>): Promise<T>;
}

/** Validates an optional `tracer` option: undefined, or an object with a `span` function. */
export function expectTraceHook(name: string, value: unknown): TraceHook | undefined {
  if (value === undefined) return undefined;
  let ok = false;
  if (typeof value === 'object' && value !== null) {
    try {
      ok = typeof (value as TraceHook).span === 'function';
    } catch {
      // A Proxy whose traps throw is no hook: refused below, with the option named.
    }
  }
  if (!ok) {
    throw new TypeError(`Expected \`${name}\` to be a TraceHook (an object with span()), got ${describeValue(value)}`);
  }
  return value as TraceHook;
}
