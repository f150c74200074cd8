/** A queued `acquire`: an intrusive doubly linked list node, so removal on timeout or abort is O(1). */
export class Waiter<L> {
  resolve: (loan: L) => void = noop;
  reject: (error: unknown) => void = noop;
  prev: Waiter<L> | undefined = undefined;
  next: Waiter<L> | undefined = undefined;
  linked = false;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    readonly enqueuedAt: number,
    readonly deadline: number,
    readonly timeoutMs: number,
    readonly signal: AbortSignal | undefined,
    readonly stack: Error | undefined,
  ) {}
}

function noop(): void {
  // replaced by the promise executor before any use
}
