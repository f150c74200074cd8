/**
 * Order in which the registry's cleanup queue runs cleanups: `Critical` first, `Low` last.
 *
 * @example
 * ```ts
 * guard(socket, (s) => s.destroy(), { priority: CleanupPriority.High });
 * ```
 */
export const CleanupPriority = Object.freeze({
  Low: 0,
  Normal: 1,
  High: 2,
  Critical: 3,
} as const);

/** One of the {@link CleanupPriority} values (0–3). */
export type CleanupPriority = (typeof CleanupPriority)[keyof typeof CleanupPriority];
