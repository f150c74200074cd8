/**
 * Resolves once `condition` holds, checking it every `intervalMs`; rejects when `timeoutMs` passes first.
 * For integration tests waiting on a real server (a killed connection, a restarted process), where no
 * event announces the change. Unit tests wait on events or injected clocks instead.
 *
 * @example
 * ```ts
 * await eventually(async () => (await ourClients()).length === 0, { timeoutMs: 5000 });
 * ```
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(options.message ?? `condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
