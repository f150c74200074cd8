/**
 * A pricing worker's thread ended before it reported ready: it exited (`exitCode`) or threw while starting
 * (`cause`). `PricingWorker.start` rejects with it, so the pool's create fails at once (and is retried)
 * instead of waiting out its connect timeout.
 */
export class WorkerStartError extends Error {
  override name = 'WorkerStartError';
  readonly code = 'DEMO_WORKER_START_FAILED';
  /** The worker's id (1, 2, … in the order the pool created them). */
  readonly workerId: number;
  /** The thread's exit code when it exited; `undefined` when it threw (see `cause`). */
  readonly exitCode: number | undefined;

  constructor(workerId: number, ended: { exitCode: number } | { error: Error }) {
    super(
      'exitCode' in ended
        ? `pricing worker #${workerId} exited with code ${ended.exitCode} before it was ready`
        : `pricing worker #${workerId} failed before it was ready: ${ended.error.message}`,
      'error' in ended ? { cause: ended.error } : undefined,
    );
    this.workerId = workerId;
    this.exitCode = 'exitCode' in ended ? ended.exitCode : undefined;
  }
}
