// Guards talk to their registry through Symbol.for keys, not #private methods: the ESM and CJS copies of
// this package may load side by side and share the default registry, and a guard class from one copy must
// be able to drive a registry from the other.
export const TRACK: unique symbol = Symbol.for('patinox.resource.track') as never;
export const RUN: unique symbol = Symbol.for('patinox.resource.run') as never;
export const TAKE: unique symbol = Symbol.for('patinox.resource.take') as never;
export const GUARD_BRAND: unique symbol = Symbol.for('patinox.resource.guard') as never;
export const DEFAULT_REGISTRY_KEY: unique symbol = Symbol.for('patinox.resource.defaultRegistry') as never;
