export {
  CompositeMonitor,
  ConsoleMonitor,
  DiagnosticsChannelMonitor,
  MAX_MEMORY_MONITOR_CAPACITY,
  MemoryMonitor,
  NoopMonitor,
  channelName,
  createEvent,
  noopMonitor,
  safeRecord,
} from './monitor.js';
export { expectMonitor } from './expect-monitor.js';
export { EVENT_NAME_PATTERN, defineEvents } from './events.js';
export type { EventName } from './events.js';
export type { ConsoleMonitorOptions, MemoryMonitorOptions, Monitor, MonitorEvent } from './monitor.js';
export { DEFAULT_EXPORT_BOUNDS, Histogram } from './histogram.js';
export type { HistogramSummary } from './histogram.js';
export { Counter, Gauge, MetricsRegistry, histogramSnapshot } from './metrics.js';
export type {
  HistogramOptions,
  HistogramSnapshot,
  Labels,
  MetricOptions,
  MetricSnapshot,
  MetricsCollector,
  ScalarSnapshot,
} from './metrics.js';
export { checkHealth } from './health.js';
export type { CheckHealthOptions, CheckReport, HealthCheck, HealthReport, HealthResult, HealthStatus } from './health.js';
export { expectTraceHook } from './tracing.js';
export type { TraceAttributes, TraceHook, TraceSpan } from './tracing.js';
