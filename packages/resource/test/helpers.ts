// Test helpers: forcing a collection and letting FinalizationRegistry callbacks run.
const gcFn = (globalThis as { gc?: () => void }).gc;

/** Runs a full GC, then yields to the event loop so finalization callbacks and the cleanups they queue run. */
export async function collectGarbage(rounds = 3): Promise<void> {
  if (gcFn === undefined) throw new Error('run the tests with --expose-gc (the package test script sets it)');
  for (let i = 0; i < rounds; i += 1) {
    // Guards are handed to the FinalizationRegistry at the end of the macrotask that created them.
    await new Promise((resolve) => setImmediate(resolve));
    gcFn();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Polls `condition` across GC rounds; a bounded number of rounds, never a wall-clock sleep. */
export async function collectUntil(condition: () => boolean, maxRounds = 20): Promise<boolean> {
  for (let i = 0; i < maxRounds && !condition(); i += 1) await collectGarbage(1);
  return condition();
}
