// Trace readers for the formats in ../shared/traces (see README.md "Formats"). Node built-ins only.
import { createReadStream, readFileSync } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { createInterface } from 'node:readline';

/** Every trace the simulator knows: path relative to the traces folder, format, default capacities. */
export const TRACES = [
  { file: 'lirs/2_pools.trace.gz', format: 'lirs', caps: [250, 500, 1000, 2000] },
  { file: 'lirs/cpp.trace.gz', format: 'lirs', caps: [250, 500, 1000] },
  { file: 'lirs/cs.trace.gz', format: 'lirs', caps: [250, 500, 1000] },
  { file: 'lirs/gli.trace.gz', format: 'lirs', caps: [250, 500, 1000, 2000] },
  { file: 'lirs/loop.trace.gz', format: 'lirs', caps: [250, 500, 750, 1000] },
  { file: 'lirs/multi1.trace.gz', format: 'lirs', caps: [250, 500, 1000, 2000] },
  { file: 'lirs/multi2.trace.gz', format: 'lirs', caps: [250, 500, 1000, 2000] },
  { file: 'lirs/multi3.trace.gz', format: 'lirs', caps: [250, 500, 1000, 2000] },
  { file: 'lirs/ps.trace.gz', format: 'lirs', caps: [250, 500, 1000, 2000] },
  { file: 'lirs/sprite.trace.gz', format: 'lirs', caps: [250, 500, 1000, 2000] },
  { file: 'arc/OLTP.lis.gz', format: 'arc', caps: [250, 500, 1000, 2000] },
  { file: 'arc/P3.lis.gz', format: 'arc', caps: [25000, 100000, 200000, 400000] },
  { file: 'cache2k/web07.trace.gz', format: 'i32be', caps: [1000, 5000, 10000] },
  { file: 'cache2k/web12.trace.gz', format: 'i32be', caps: [1000, 5000, 10000] },
  { file: 'cache2k/orm-busy.trace.gz', format: 'i32be', caps: [1000, 5000, 10000] },
  { file: 'corda/trace_vaultservice.gz', format: 'i64be', caps: [1000, 5000, 10000] },
  { file: 'scarab/scarab-recs.trace.gz', format: 'i64be', caps: [1000, 5000, 10000] },
  {
    file: 'libcachesim/cloudPhysicsIO.oracleGeneral.bin',
    format: 'oracleGeneral',
    caps: [128 * 2 ** 20, 256 * 2 ** 20, 512 * 2 ** 20, 1024 * 2 ** 20],
    bySize: true,
  },
];

function open(path) {
  const s = createReadStream(path);
  return path.endsWith('.gz') ? s.pipe(createGunzip()) : s;
}

/**
 * Loads a whole trace into memory: `names[k]` is the k-th distinct key of the trace as the string a
 * service would use (the trace's own integer in decimal), `ids` the request stream as indices into
 * `names` (0..unique-1, for the optimum and for `--keys=dense` replays), `sizes` (bytes, or all 1) and
 * `unique`. Each distinct key is one string instance, so replays share it. Text formats are
 * streamed; binary ones are read at once.
 */
export async function loadTrace(path, format) {
  const index = new Map();
  const names = [];
  let keys = new Int32Array(1 << 16);
  let sizes = new Float64Array(1 << 16);
  let n = 0;
  const push = (key, size) => {
    let id = index.get(key);
    if (id === undefined) {
      id = names.length;
      index.set(key, id);
      names.push(String(key));
    }
    if (n === keys.length) {
      const k = new Int32Array(n * 2);
      k.set(keys);
      keys = k;
      const s = new Float64Array(n * 2);
      s.set(sizes);
      sizes = s;
    }
    keys[n] = id;
    sizes[n] = size;
    n += 1;
  };
  if (format === 'lirs' || format === 'arc') {
    const rl = createInterface({ input: open(path), crlfDelay: Infinity });
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '' || line === '*') continue;
      if (format === 'lirs') push(Number(line), 1);
      else {
        const [start, count] = line.split(' ');
        const s = Number(start);
        const c = Number(count);
        for (let i = 0; i < c; i += 1) push(s + i, 1);
      }
    }
  } else {
    const recLen = { i32be: 4, i64be: 8, oracleGeneral: 24 }[format];
    if (recLen === undefined) throw new Error(`unknown trace format ${format}`);
    const raw = readFileSync(path);
    const buf = path.endsWith('.gz') ? gunzipSync(raw) : raw;
    if (buf.length % recLen !== 0) throw new Error(`${path}: ${buf.length % recLen} trailing bytes (not a multiple of ${recLen})`);
    for (let off = 0; off < buf.length; off += recLen) {
      if (format === 'i32be') push(buf.readInt32BE(off), 1);
      else if (format === 'i64be') push(buf.readBigInt64BE(off), 1);
      else push(buf.readBigUInt64LE(off + 4), buf.readUInt32LE(off + 12));
    }
  }
  return { ids: keys.subarray(0, n), names, sizes: sizes.subarray(0, n), requests: n, unique: names.length };
}
