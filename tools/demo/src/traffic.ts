import type { Counter, Histogram } from '@patinox/monitor';

/** Options of {@link runTraffic}. */
export interface TrafficOptions {
  /** Product ids to request, in order. */
  ids: Iterator<number>;
  /** Requests in flight at once, like that many clients. */
  concurrency: number;
  /** The service's request handler. */
  handle: (id: number) => Promise<unknown>;
  requests: Counter;
  failures: Counter;
  /** Request latency, in ms. */
  latency: Histogram;
  /** Called once, after this many requests completed. */
  milestone: { after: number; run: () => void };
  /** Stops sending new requests (Ctrl-C). */
  signal: AbortSignal;
}

/** How the stream went. */
export interface TrafficResult {
  durationMs: number;
  /** The first failure, kept to be reported (the rest are counted). */
  firstError: unknown;
}

/** Sends the request stream through `handle` with `concurrency` requests in flight, until the ids run out or `signal` aborts. */
export async function runTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const { ids, handle, requests, failures, latency, milestone, signal } = options;
  const started = performance.now();
  let firstError: unknown;
  let done = 0;
  const client = async (): Promise<void> => {
    for (let next = ids.next(); next.done !== true && !signal.aborted; next = ids.next()) {
      const t0 = performance.now();
      try {
        await handle(next.value);
        requests.inc();
      } catch (error) {
        if (signal.aborted) return; // the shutdown closed what this request was using
        failures.inc();
        firstError ??= error;
      }
      latency.record(performance.now() - t0);
      done += 1;
      if (done === milestone.after) milestone.run();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return { durationMs: performance.now() - started, firstError };
}
