import type { SlotList } from '../internal/list.js';

/**
 * Up to `n` slots from `lists`, given hottest segment first: hottest first walks each list from its
 * head (newest), coldest first walks the lists in reverse order from their tails.
 */
export function rankLists(lists: readonly SlotList[], n: number, hottest: boolean): number[] {
  const out: number[] = [];
  const order = hottest ? lists : [...lists].reverse();
  for (const list of order) {
    let slot = hottest ? list.head : list.tail;
    while (slot !== -1 && out.length < n) {
      out.push(slot);
      slot = hottest ? list.nextOf(slot) : list.prevOf(slot);
    }
  }
  return out;
}
