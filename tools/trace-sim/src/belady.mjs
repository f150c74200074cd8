// Belady's offline optimum (MIN): knowing the whole trace, on a miss keep the key whose next request
// comes soonest. A miss on a key that is never requested again, or whose next request comes after
// every resident's, is not admitted (bypass), which is optimal for unit sizes. With byte sizes the
// same rule (evict furthest next request first) is the usual heuristic reference, not an exact optimum
// (that is a knapsack problem); libCacheSim's "Belady" does the same.

/** For each request i, the index of the next request for the same key, or `requests` when none. */
export function nextUses(trace) {
  const { ids, requests, unique } = trace;
  const next = new Int32Array(requests);
  const last = new Int32Array(unique).fill(requests);
  for (let i = requests - 1; i >= 0; i -= 1) {
    const id = ids[i];
    next[i] = last[id];
    last[id] = i;
  }
  return next;
}

/**
 * Hit ratio of the offline optimum on `trace` with `capacity` entries (or bytes when `bySize`).
 * `next` may be passed in when replaying several capacities (see nextUses).
 */
export function belady(trace, capacity, bySize = false, next = nextUses(trace)) {
  const { ids, sizes, requests, unique } = trace;
  // Indexed max-heap of resident ids keyed by their next request.
  const heap = new Int32Array(Math.min(unique, bySize ? unique : capacity) + 1);
  const prio = new Int32Array(unique);
  const pos = new Int32Array(unique).fill(-1);
  const size = new Float64Array(bySize ? unique : 0);
  let count = 0;
  let used = 0;
  let hits = 0;
  const up = (at) => {
    const id = heap[at];
    const p = prio[id];
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const pid = heap[parent];
      if (prio[pid] >= p) break;
      heap[at] = pid;
      pos[pid] = at;
      at = parent;
    }
    heap[at] = id;
    pos[id] = at;
  };
  const down = (at) => {
    const id = heap[at];
    const p = prio[id];
    for (;;) {
      let child = 2 * at + 1;
      if (child >= count) break;
      if (child + 1 < count && prio[heap[child + 1]] > prio[heap[child]]) child += 1;
      const cid = heap[child];
      if (prio[cid] <= p) break;
      heap[at] = cid;
      pos[cid] = at;
      at = child;
    }
    heap[at] = id;
    pos[id] = at;
  };
  const popMax = () => {
    const top = heap[0];
    pos[top] = -1;
    count -= 1;
    if (count > 0) {
      heap[0] = heap[count];
      down(0);
    }
    if (bySize) used -= size[top];
  };
  for (let i = 0; i < requests; i += 1) {
    const id = ids[i];
    const nu = next[i];
    const at = pos[id];
    if (at !== -1) {
      hits += 1;
      prio[id] = nu;
      if (nu === requests) {
        // Never requested again: drop it now, which frees its room for others.
        prio[id] = requests + 1;
        up(at);
        popMax();
      } else up(at);
      continue;
    }
    if (nu === requests) continue;
    const s = bySize ? sizes[i] : 1;
    if (bySize && (s > capacity || s <= 0)) continue;
    if (bySize) {
      while (used + s > capacity && count > 0 && prio[heap[0]] > nu) popMax();
      if (used + s > capacity) continue;
    } else if (count >= capacity) {
      if (prio[heap[0]] <= nu) continue;
      popMax();
    }
    prio[id] = nu;
    heap[count] = id;
    count += 1;
    up(count - 1);
    if (bySize) {
      size[id] = s;
      used += s;
    }
  }
  return hits / requests;
}
