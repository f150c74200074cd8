/** What {@link watchUncaught} collects until stopped. */
export interface UncaughtWatch {
  /** Unhandled rejections and uncaught exceptions seen so far. */
  readonly errors: unknown[];
  /** Removes the listeners. */
  stop(): void;
}

/**
 * Collects unhandled rejections and uncaught exceptions of the process while a test runs, so a property
 * test can assert that none happened (jest would otherwise report them against a random later test).
 */
export function watchUncaught(): UncaughtWatch {
  const errors: unknown[] = [];
  const listener = (reason: unknown): void => void errors.push(reason);
  process.on('unhandledRejection', listener);
  process.on('uncaughtException', listener);
  return {
    errors,
    stop: () => {
      process.off('unhandledRejection', listener);
      process.off('uncaughtException', listener);
    },
  };
}
