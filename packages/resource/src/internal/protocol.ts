// Guards talk to their registry through Symbol.for keys, not #private methods: the ESM and CJS copies of
// this package may load side by side and share the default registry, and a guard class from one copy must
// be able to drive a registry from the other. The `.v2` keys belong to the slot-based protocol (a guard
// holds its registry and a slot number); a copy speaking another protocol version fails the `[TRACK]`
// check with a TypeError instead of misbehaving.
export const TRACK: unique symbol = Symbol.for('patinox.resource.v2.track') as never;
export const RUN: unique symbol = Symbol.for('patinox.resource.v2.run') as never;
export const TAKE: unique symbol = Symbol.for('patinox.resource.v2.take') as never;
export const SETTLE: unique symbol = Symbol.for('patinox.resource.v2.settle') as never;
export const GUARD_BRAND: unique symbol = Symbol.for('patinox.resource.guard') as never;
export const DEFAULT_REGISTRY_KEY: unique symbol = Symbol.for('patinox.resource.v2.defaultRegistry') as never;
