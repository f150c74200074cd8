import type { ConfigFileWatch } from '../config-data.js';

/**
 * The handle `watchFile` and `LayeredConfig#watch` return: `close()` runs `release` once, and `closed`,
 * `Symbol.dispose` and `Symbol.asyncDispose` follow it.
 */
export function fileWatchHandle(path: string, release: () => void): ConfigFileWatch {
  let closed = false;
  const handle: ConfigFileWatch = {
    path,
    get closed() {
      return closed;
    },
    close: () => {
      if (closed) return;
      closed = true;
      release();
    },
    [Symbol.dispose]: () => handle.close(),
    [Symbol.asyncDispose]: () => {
      handle.close();
      return Promise.resolve();
    },
  };
  return handle;
}
