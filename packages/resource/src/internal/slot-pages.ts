import { PAGE_SIZE, Page, type RegistryProtocol } from './entry.js';

/**
 * The registry's pages of slots: which page new slots come from, which pages have free slots, and when
 * an emptied page is dropped. A slot is addressed as (page index << PAGE_BITS) | i.
 */
export class SlotPages {
  /** Every page by index; a dropped page leaves a hole its index is reused for. */
  readonly pages: (Page | undefined)[] = [];
  /** Ids or creation times outgrew 32 bits: every page stores them as 64-bit floats. */
  wide = false;
  readonly #owner: RegistryProtocol;
  /** Page that new slots come from. */
  #current: Page | undefined;
  /** Other pages with free slots (may hold refilled pages: checked when popped). */
  readonly #available: Page[] = [];
  readonly #freePageIndexes: number[] = [];

  constructor(owner: RegistryProtocol) {
    this.#owner = owner;
  }

  /** Takes a free slot; returns its page with the slot's index in `page.tracked`. */
  allocate(): Page {
    let page = this.#current;
    if (page === undefined || (page.freeHead < 0 && page.bump === PAGE_SIZE)) page = this.#nextPage();
    let i = page.freeHead;
    if (i >= 0) page.freeHead = page.ids[i]! - 1;
    else i = page.bump++;
    page.live += 1;
    page.tracked = i;
    return page;
  }

  /** Links a slot whose fields were cleared into its page's free list; drops or lists the page as needed. */
  free(page: Page, i: number): void {
    page.ids[i] = page.freeHead + 1;
    page.freeHead = i;
    page.live -= 1;
    if (page === this.#current) return;
    if (page.live === 0) this.#drop(page);
    else if (!page.listed) {
      page.listed = true;
      this.#available.push(page);
    }
  }

  widen(): void {
    this.wide = true;
    for (const page of this.pages) page?.widen();
  }

  #nextPage(): Page {
    const available = this.#available;
    while (available.length > 0) {
      const page = available.pop()!;
      page.listed = false;
      if (page.freeHead >= 0 || page.bump < PAGE_SIZE) return (this.#current = page);
    }
    const index = this.#freePageIndexes.pop() ?? this.pages.length;
    const page = new Page(index, this.wide, this.#owner);
    this.pages[index] = page;
    return (this.#current = page);
  }

  /** Forgets an empty page (rare: once per page emptied), so cleaned bursts give their memory back. */
  #drop(page: Page): void {
    this.pages[page.index] = undefined;
    this.#freePageIndexes.push(page.index);
    if (page.listed) {
      const available = this.#available;
      const k = available.indexOf(page);
      available[k] = available[available.length - 1]!;
      available.pop();
      page.listed = false;
    }
  }
}
