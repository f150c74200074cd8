import { describeValue, expectNonEmptyString } from '@patinox/errors';

/**
 * @internal Throws a TypeError unless `path` is a non-empty string that can name a file: Node's fs refuses a NUL
 * byte with an error of its own, which would otherwise surface as an I/O failure.
 */
export function expectPath(path: unknown): string {
  const value = expectNonEmptyString('path', path);
  if (value.includes('\0')) throw new TypeError(`Expected \`path\` to be a file path without NUL bytes, got ${describeValue(value)}`);
  return value;
}
