/**
 * Values a caller (or a dependency) may hand to an API or throw at it, each of which has broken naive
 * code: numbers at the edges, wrong types, objects whose getters throw, Proxies whose every trap throws,
 * revoked Proxies, frozen and null-prototype objects. Fresh values per call, for property tests and
 * table tests of every package.
 */
export function hostileValues(): { label: string; value: unknown }[] {
  const throwing = (what: string) => (): never => {
    throw new Error(`hostile ${what}`);
  };
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  return [
    { label: 'NaN', value: NaN },
    { label: '-1', value: -1 },
    { label: '-0', value: -0 },
    { label: '0', value: 0 },
    { label: '0.5', value: 0.5 },
    { label: '2^31', value: 2 ** 31 },
    { label: 'MAX_SAFE_INTEGER + 1', value: Number.MAX_SAFE_INTEGER + 1 },
    { label: 'Infinity', value: Infinity },
    { label: '-Infinity', value: -Infinity },
    { label: 'a numeric string', value: '5' },
    { label: 'an empty string', value: '' },
    { label: 'a bigint', value: 5n },
    { label: 'a symbol', value: Symbol('hostile') },
    { label: 'true', value: true },
    { label: 'null', value: null },
    { label: 'undefined', value: undefined },
    { label: 'an array', value: [1, 2] },
    { label: 'a function', value: () => undefined },
    { label: 'a frozen object', value: Object.freeze({}) },
    { label: 'a null-prototype object', value: Object.create(null) as object },
    {
      label: 'an object whose getters throw',
      value: Object.create(Error.prototype, {
        message: { get: throwing('message getter') },
        name: { get: throwing('name getter') },
        then: { get: throwing('then getter') },
        valueOf: { get: throwing('valueOf getter') },
      }) as object,
    },
    {
      label: 'a Proxy whose traps throw',
      value: new Proxy(
        {},
        { get: throwing('get trap'), has: throwing('has trap'), getPrototypeOf: throwing('getPrototypeOf trap'), ownKeys: throwing('ownKeys trap') },
      ),
    },
    { label: 'a revoked Proxy', value: revoked },
  ];
}
