/**
 * A queued `acquire`: a node of two intrusive doubly linked lists, every waiter in arrival order
 * (`prev`/`next`) and the waiters of its priority (`levelPrev`/`levelNext`), so removal on timeout or
 * abort is O(1).
 */
export class Waiter<L> {
  resolve: (loan: L) => void = noop;
  reject: (error: unknown) => void = noop;
  prev: Waiter<L> | undefined = undefined;
  next: Waiter<L> | undefined = undefined;
  levelPrev: Waiter<L> | undefined = undefined;
  levelNext: Waiter<L> | undefined = undefined;
  linked = false;
  priority = 0;
  onAbort: (() => void) | undefined = undefined;
  enqueuedAt = 0;
  deadline = 0;
  timeoutMs = 0;
  signal: AbortSignal | undefined = undefined;
  stack: Error | undefined = undefined;
}

function noop(): void {
  // replaced by the promise executor before any use
}

let target: Waiter<never> | undefined;

// One shared executor instead of a closure per acquire: `new Promise` calls it synchronously.
function executor(resolve: (loan: never) => void, reject: (error: unknown) => void): void {
  target!.resolve = resolve;
  target!.reject = reject;
}

/** Creates the promise a waiter settles, without allocating an executor closure. */
export function waiterPromise<L>(waiter: Waiter<L>): Promise<L> {
  target = waiter;
  const promise = new Promise<L>(executor);
  target = undefined;
  return promise;
}

/** Clears a settled waiter so it can be reused; only waiters no abort listener refers to are reused. */
export function resetWaiter<L>(waiter: Waiter<L>): void {
  waiter.resolve = noop;
  waiter.reject = noop;
  waiter.signal = undefined;
  waiter.stack = undefined;
  waiter.priority = 0;
}
