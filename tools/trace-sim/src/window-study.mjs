// The window study's replays (see window-study-cli.mjs): the default W-TinyLFU with its window fixed at
// several shares of the cache, the adaptive default itself, and "followers": a cache whose window is set,
// every period, to the fixed window that has hit most so far (scores decayed per period). The followers
// see every fixed-window cache run in full on every request: the ideal of a miniature-simulation climber
// (Caffeine's samples keys), which no sampled one can beat on information.
const { ClockTinyLfuPolicy, hashKey } = await import(new URL('../../../packages/cache/dist/esm/policies/study.js', import.meta.url).href);

/** Window shares of the fixed-window caches (and the windows a follower may choose). */
export const WINDOWS = [0.01, 0.1, 0.3, 0.6, 0.9, 0.99];
/** Followers: period in capacities, score decay per period, starting window. */
export const FOLLOWERS = [
  { name: 'follow: cumulative, 1%', period: 1, decay: 1, start: 0.01 },
  { name: 'follow: cumulative, 99%', period: 0.25, decay: 1, start: 0.99 },
  { name: 'follow: ×0.9 per capacity', period: 1, decay: 0.9, start: 0.01 },
  { name: 'follow: ×0.5 per 10 capacities', period: 10, decay: 0.5, start: 0.01 },
];

/** One cache of `capacity` entries around a policy, keyed by the trace's dense ids (hashes from the real keys). */
class Replay {
  constructor(policy, capacity, unique) {
    this.policy = policy;
    this.capacity = capacity;
    this.slotOf = new Int32Array(unique).fill(-1);
    this.idOf = new Int32Array(capacity + 1);
    this.count = 0;
    this.hits = 0;
  }

  /** A get, then a set on a miss, as trace-sim replays them; true on a hit. */
  request(id, hash) {
    const slot = this.slotOf[id];
    if (slot !== -1) {
      this.hits += 1;
      this.policy.hit(slot);
      return true;
    }
    let s;
    if (this.count >= this.capacity) {
      s = this.policy.evict();
      this.slotOf[this.idOf[s]] = -1;
    } else s = this.count++;
    this.slotOf[id] = s;
    this.idOf[s] = id;
    this.policy.insert(s, hash);
    return false;
  }
}

/** Each trace key's hash as the cache computes it (the policies hash the traces' own keys). */
export function keyHashes(trace) {
  const hashes = new Int32Array(trace.unique);
  for (let k = 0; k < trace.unique; k += 1) hashes[k] = hashKey(trace.names[k]);
  return hashes;
}

/** The contenders' names, in the order studyPoint returns their hit ratios. */
export const CONTENDERS = ['default (ghosts)', ...WINDOWS.map((w) => `fixed ${Math.round(w * 100)}%`), 'best fixed (hindsight)', ...FOLLOWERS.map((f) => f.name)];

/**
 * Hit ratios of every contender (see CONTENDERS) on `trace` with `capacity` entries, all replayed in one
 * pass: a get, then a set on a miss. `followers` and `windows` default to the study's own.
 */
export function studyPoint(trace, capacity, hashes = keyHashes(trace), followers = FOLLOWERS, windows = WINDOWS) {
  const { ids, requests, unique } = trace;
  const make = (fixed) => new ClockTinyLfuPolicy(capacity + 1, capacity, undefined, fixed);
  const adaptive = new Replay(make(undefined), capacity, unique);
  const fixed = windows.map((w) => new Replay(make(w), capacity, unique));
  const follow = followers.map((f) => ({
    ...f,
    every: Math.max(1, Math.round(f.period * capacity)),
    scores: new Float64Array(windows.length),
    cache: new Replay(make(f.start), capacity, unique),
  }));
  for (let i = 0; i < requests; i += 1) {
    const id = ids[i];
    const hash = hashes[id];
    adaptive.request(id, hash);
    for (let j = 0; j < fixed.length; j += 1) {
      if (!fixed[j].request(id, hash)) continue;
      for (const f of follow) f.scores[j] += 1;
    }
    for (const f of follow) {
      f.cache.request(id, hash);
      if ((i + 1) % f.every !== 0) continue;
      let best = 0;
      for (let j = 1; j < windows.length; j += 1) if (f.scores[j] > f.scores[best]) best = j;
      f.cache.policy.resizeWindow(windows[best]);
      if (f.decay !== 1) for (let j = 0; j < windows.length; j += 1) f.scores[j] *= f.decay;
    }
  }
  const bestFixed = Math.max(...fixed.map((r) => r.hits));
  return [adaptive.hits, ...fixed.map((r) => r.hits), bestFixed, ...follow.map((f) => f.cache.hits)].map((h) => h / requests);
}
