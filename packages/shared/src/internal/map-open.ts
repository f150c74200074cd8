import { describeValue, expectPositiveInteger, optional, readKnownOptions, readOptions } from '@patinox/errors';
import { expectMonitor, noopMonitor, type Monitor } from '@patinox/monitor';
import type { SharedMapAttachOptions, SharedMapOptions } from '../options.js';
import type { SharedMapHandle } from '../shared-map.js';
import { resolveCodec, type SlotCodec } from './map-codec.js';
import { computeGeometry, defaultShards, readHeader, writeHeader, type Geometry, type KeyKind } from './map-layout.js';
import { allocateShared, expectName, expectTimeout, isSharedArrayBuffer } from './validate.js';

// Making a SharedMap's memory (`SharedMap.create`) or attaching to another thread's (`SharedMap.from`): the
// options checked, the geometry computed or read back from the header.

const CREATE_KEYS = ['capacity', 'keys', 'maxKeyBytes', 'maxValueBytes', 'codec', 'shards', 'lockLeaseMs', 'lockTimeoutMs', 'name', 'monitor'] as const;
const ATTACH_KEYS = ['codec', 'lockTimeoutMs', 'monitor'] as const;
const MAX_SHARDS = 1024;
const MAX_SLOT_BYTES = 1 << 20;

/** What a `SharedMap` handle is built from. */
export interface MapInit<V> {
  readonly handle: SharedMapHandle;
  readonly geometry: Geometry;
  readonly epochMs: number;
  readonly keys: KeyKind;
  readonly codec: SlotCodec<V>;
  readonly lockTimeoutMs: number | undefined;
  readonly monitor: Monitor;
}

/** Validates `options`, then allocates and formats the shared memory of a new map. */
export function createMap<V>(bag: SharedMapOptions<V>): MapInit<V> {
  // Read once, as plain data: a bag whose getters or traps throw is a TypeError naming it.
  const options = readKnownOptions('options', bag, CREATE_KEYS) as Partial<SharedMapOptions<V>>;
  const keys = options.keys ?? 'string';
  if (keys !== 'string' && keys !== 'bytes') throw new TypeError(`Expected \`keys\` to be 'string' or 'bytes', got ${describeValue(keys)}`);
  const capacity = expectPositiveInteger('capacity', options.capacity);
  const maxKeyBytes = optional('maxKeyBytes', options.maxKeyBytes, expectPositiveInteger, 64);
  const maxValueBytes = optional('maxValueBytes', options.maxValueBytes, expectPositiveInteger, 256);
  if (maxKeyBytes + maxValueBytes > MAX_SLOT_BYTES) {
    throw new RangeError(`Expected \`maxKeyBytes\` + \`maxValueBytes\` to be at most ${MAX_SLOT_BYTES}, got ${maxKeyBytes + maxValueBytes}`);
  }
  const shards = optional('shards', options.shards, expectPositiveInteger, defaultShards(capacity));
  if ((shards & (shards - 1)) !== 0 || shards > MAX_SHARDS) {
    throw new RangeError(`Expected \`shards\` to be a power of two up to ${MAX_SHARDS}, got ${shards}`);
  }
  const lockLeaseMs = optional('lockLeaseMs', options.lockLeaseMs, expectPositiveInteger, 1000);
  const lockTimeoutMs = expectTimeout('lockTimeoutMs', options.lockTimeoutMs, undefined);
  const name = expectName(options.name, 'shared-map');
  const codec = resolveCodec<V>(options.codec);
  const monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
  const geometry = computeGeometry(capacity, shards, maxKeyBytes, maxValueBytes, lockLeaseMs);
  const buffer = allocateShared(geometry.totalBytes, 'capacity', capacity);
  const epochMs = Date.now();
  writeHeader(buffer, geometry, epochMs, keys);
  return { handle: { kind: 'patinox.shared-map', buffer, name, codec: codec.name }, geometry, epochMs, keys, codec, lockTimeoutMs, monitor };
}

/** Validates a handle from another thread and reads the map's geometry from its header. */
export function attachMap<V>(value: SharedMapHandle, bag: SharedMapAttachOptions<V>): MapInit<V> {
  const handle = (typeof value === 'object' && value !== null ? readOptions('handle', value, ['kind', 'buffer', 'name', 'codec']) : undefined) as
    | Partial<SharedMapHandle>
    | undefined;
  if (handle?.kind !== 'patinox.shared-map' || !isSharedArrayBuffer(handle.buffer)) {
    throw new TypeError(`Expected \`handle\` to be a SharedMapHandle, got ${describeValue(value)}`);
  }
  const options = readKnownOptions('options', bag, ATTACH_KEYS) as SharedMapAttachOptions<V>;
  const header = readHeader(handle.buffer);
  if (typeof header === 'string') throw new TypeError(`Expected \`handle\` to be a SharedMapHandle: ${header}`);
  if (handle.codec === 'custom' && options.codec === undefined) {
    throw new TypeError('Expected `codec` for a SharedMap created with a custom codec, got undefined');
  }
  const codec = resolveCodec<V>(handle.codec === 'custom' ? options.codec : (options.codec ?? handle.codec));
  const lockTimeoutMs = expectTimeout('lockTimeoutMs', options.lockTimeoutMs, undefined);
  const name = expectName(handle.name, 'shared-map');
  const monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
  return { handle: { kind: 'patinox.shared-map', buffer: handle.buffer, name, codec: handle.codec as SharedMapHandle['codec'] }, geometry: header.geometry, epochMs: header.epochMs, keys: header.keys, codec, lockTimeoutMs, monitor };
}
