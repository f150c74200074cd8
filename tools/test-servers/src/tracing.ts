import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** An OpenTelemetry SDK tracer whose finished spans stay in memory, for tests of our spans. */
export interface InMemoryTracing {
  /** The SDK tracer: pass it to `createOpenTelemetryTracer`, or start parent spans with it. */
  readonly otel: Tracer;
  readonly exporter: InMemorySpanExporter;
  /** Installs the async-hooks context manager globally, so spans nest across awaits (call in beforeAll). */
  install(): void;
  /** Removes the context manager again (call in afterAll). */
  uninstall(): void;
  /** Spans finished since the last reset, in the order they ended. */
  spans(): ReadableSpan[];
  /** Forgets the spans recorded so far (call in beforeEach). */
  reset(): void;
}

/**
 * The setup every tracing test needs: an SDK provider with a simple processor into an in-memory
 * exporter, and an AsyncLocalStorage context manager for parentage.
 *
 * @example
 * ```ts
 * const tracing = inMemoryTracing('pool-test');
 * beforeAll(() => tracing.install());
 * afterAll(() => tracing.uninstall());
 * beforeEach(() => tracing.reset());
 * const tracer = createOpenTelemetryTracer(tracing.otel);
 * ```
 */
export function inMemoryTracing(name: string): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();
  return {
    otel: provider.getTracer(name),
    exporter,
    install: () => {
      context.setGlobalContextManager(contextManager.enable());
    },
    uninstall: () => {
      contextManager.disable();
      context.disable();
    },
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
  };
}
