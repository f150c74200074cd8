import type { CleanupFn } from '../guard.js';

// Shared, so an adopted resource costs no closure of its own.
const asyncDispose = (value: unknown): unknown => (value as AsyncDisposable)[Symbol.asyncDispose]();
const syncDispose = (value: unknown): unknown => (value as Disposable)[Symbol.dispose]();

/** The cleanup that calls `value`'s `Symbol.asyncDispose` (preferred) or `Symbol.dispose`; `undefined` when it has neither. */
export function disposerOf(value: unknown): CleanupFn<unknown> | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const record = value as Partial<AsyncDisposable & Disposable>;
  try {
    if (typeof record[Symbol.asyncDispose] === 'function') return asyncDispose;
    if (typeof record[Symbol.dispose] === 'function') return syncDispose;
  } catch {
    // A hostile Proxy: it implements nothing we can call.
  }
  return undefined;
}
