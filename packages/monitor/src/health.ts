import { describeThrown, describeValue, expectFunction, expectTimerMs, optional, readKnownOptions } from '@patinox/errors';

/** Health of one component. */
export type HealthStatus = 'up' | 'degraded' | 'down';

/** What a {@link HealthCheck} reports. */
export interface HealthResult {
  status: HealthStatus;
  details?: Record<string, unknown>;
}

/** A named check of one component; `check` should stop work when `signal` aborts. */
export interface HealthCheck {
  readonly name: string;
  check(signal: AbortSignal): HealthResult | Promise<HealthResult>;
}

/** One check's outcome in a {@link HealthReport}. */
export interface CheckReport extends HealthResult {
  name: string;
  durationMs: number;
}

/** The outcome of {@link checkHealth}: the worst status of all checks, and each check's report. */
export interface HealthReport {
  status: HealthStatus;
  checks: CheckReport[];
}

/** Options of {@link checkHealth}. */
export interface CheckHealthOptions {
  /** Deadline for every check, in ms; a check that overruns is reported `down`. @default 100 */
  timeoutMs?: number;
  /** Clock used for durations. @default performance.now */
  now?: () => number;
}

const RANK: Record<HealthStatus, number> = { up: 0, degraded: 1, down: 2 };

/** The check's name and function, read once; a string saying why when `value` is not a readable HealthCheck. */
function readCheck(value: unknown): { name: string; check: HealthCheck['check'] } | string {
  try {
    if (typeof value !== 'object' || value === null) return `not a HealthCheck: ${describeValue(value)}`;
    const name = (value as { name?: unknown }).name;
    const check = (value as { check?: unknown }).check;
    if (typeof name !== 'string' || typeof check !== 'function') return `not a HealthCheck (needs a string name and a check function): ${describeValue(value)}`;
    return { name, check: (signal) => (check as HealthCheck['check']).call(value, signal) };
  } catch (err) {
    return `unreadable HealthCheck: ${describeThrown(err)}`;
  }
}

/**
 * Runs checks in parallel and never waits past `timeoutMs`: a check that overruns, throws or returns
 * garbage is reported `down` with the reason.
 *
 * @example
 * ```ts
 * const report = await checkHealth([pool.healthCheck(), cache.healthCheck()], { timeoutMs: 100 });
 * ```
 */
export async function checkHealth(checks: readonly HealthCheck[], options: CheckHealthOptions = {}): Promise<HealthReport> {
  const o = readKnownOptions('options', options, ['timeoutMs', 'now']);
  const timeoutMs = optional('timeoutMs', o.timeoutMs, (name, value) => expectTimerMs(name, value, { allowZero: true }), 100);
  const now = optional<() => number>('now', o.now, expectFunction, () => performance.now());
  if (!Array.isArray(checks)) throw new TypeError(`Expected \`checks\` to be an array of HealthCheck, got ${describeValue(checks)}`);
  let entries: unknown[];
  try {
    // Array.from, not map: a hole in a sparse array is an entry too (reported down), not a missing report.
    entries = Array.from(checks as unknown[]);
  } catch (cause) {
    throw new TypeError(`Expected \`checks\` to be an array of HealthCheck, but reading it threw: ${describeThrown(cause)}`, { cause });
  }
  const reports = await Promise.all(
    entries.map(async (given: unknown, index): Promise<CheckReport> => {
      const started = now();
      // Read once, and safely: an entry that is not a readable HealthCheck is reported down, not thrown.
      const check = readCheck(given);
      if (typeof check === 'string') return { name: `checks[${index}]`, status: 'down', details: { reason: check }, durationMs: now() - started };
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const overrun = new Promise<HealthResult>((resolve) => {
        timer = setTimeout(() => {
          controller.abort(new Error(`health check timed out after ${timeoutMs} ms`));
          resolve({ status: 'down', details: { reason: `timed out after ${timeoutMs} ms` } });
        }, timeoutMs);
      });
      try {
        const run = Promise.resolve().then(() => check.check(controller.signal));
        const result: unknown = await Promise.race([run, overrun]);
        const status = result === null || typeof result !== 'object' ? undefined : (result as HealthResult).status;
        if (typeof status !== 'string' || !Object.hasOwn(RANK, status)) {
          return { name: check.name, status: 'down', details: { reason: 'check returned no valid status' }, durationMs: now() - started };
        }
        const details = (result as HealthResult).details;
        return { name: check.name, status, ...(details === undefined ? {} : { details }), durationMs: now() - started };
      } catch (err) {
        return { name: check.name, status: 'down', details: { reason: describeThrown(err) }, durationMs: now() - started };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  let status: HealthStatus = 'up';
  for (const report of reports) if (RANK[report.status] > RANK[status]) status = report.status;
  return { status, checks: reports };
}
