/** The callers of `drain()` waiting for the last loan to come back. */
export class DrainWatch {
  #watchers: (() => void)[] | undefined = undefined;

  /** True while someone waits. */
  get waiting(): boolean {
    return this.#watchers !== undefined;
  }

  /** Resolves at `notify()`; rejects with `signal.reason` when it aborts first. */
  wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const watchers = (this.#watchers ??= []);
      let onAbort: (() => void) | undefined;
      const done = (): void => {
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
        resolve();
      };
      watchers.push(done);
      if (signal !== undefined) {
        onAbort = () => {
          const i = watchers.indexOf(done);
          if (i >= 0) watchers.splice(i, 1);
          // AbortSignal convention: reject with the reason exactly as the caller gave it.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Resolves every waiting caller. */
  notify(): void {
    const watchers = this.#watchers;
    this.#watchers = undefined;
    if (watchers !== undefined) for (const done of watchers) done();
  }
}
