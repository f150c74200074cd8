import { readSync } from 'node:fs';
import type { MappingAdvice, MappingMode } from '../options.js';
import { addonLimits } from './addon-limits.js';
import type { MmapBinding } from './binding.js';
import { ioError } from './io-error.js';
import { addHolder, adviceNumber, dropHolder, mapRange, mappingFailed, reuseMapping, type MappingHolder } from './mappings.js';

/** @internal Where the windows of one open range come from. */
export interface WindowSource {
  readonly path: string;
  /** Open descriptor of the file (the table reads and maps through it; its owner closes it). */
  readonly fd: number;
  readonly mode: MappingMode;
  /** The addon, or `undefined` in fallback mode (windows are read into memory). */
  readonly binding: MmapBinding | undefined;
  readonly advice: MappingAdvice;
  /** Identity of the file for reusing live mappings of earlier opens (`undefined`: never reuse). */
  readonly identity: string | undefined;
  readonly fileOffset: number;
  readonly byteLength: number;
  readonly windowBytes: number;
  readonly windowCount: number;
  readonly overlap: number;
  readonly pageSize: number;
  /** How other open files sharing a writable window reach the owner (see mappings.ts). */
  readonly holder: WeakRef<MappingHolder>;
}

/**
 * @internal The windows of one open range: each window's Buffer (mapped by the addon, taken over from an earlier
 * open's live mapping, or read into memory in fallback mode), the logical byte index it starts at, and the addon
 * calls that act on every mapped window (`madvise`, `mincore`). It decides nothing about closing, truncation or
 * promotion: its owner (MappingCore) says when to load, replace and drop windows.
 */
export class WindowTable {
  readonly #source: WindowSource;
  #advice: MappingAdvice;
  readonly #windows: (Buffer | undefined)[];
  readonly #bases: number[];
  /** The whole range as one mapping once {@link adopt}ed (promotion). */
  #whole: Buffer | undefined;

  constructor(source: WindowSource) {
    this.#source = source;
    this.#advice = source.advice;
    this.#windows = new Array<Buffer | undefined>(source.windowCount);
    this.#bases = new Array<number>(source.windowCount).fill(0);
  }

  /** Window `k`, or `undefined` while it is not loaded (or after {@link clear}). */
  buffer(k: number): Buffer | undefined {
    return this.#windows[k];
  }

  /** Logical byte index (from the start of the range) of window `k`'s first byte. */
  base(k: number): number {
    return this.#bases[k] ?? 0;
  }

  /**
   * Maps (or, in fallback mode, reads) window `k` and keeps it. A read that meets the end of the file calls
   * `onEof` with the size found, which must throw.
   */
  load(k: number, onEof: (size: number) => never): Buffer {
    const src = this.#source;
    const logicalStart = k * src.windowBytes;
    const logicalEnd = Math.min(logicalStart + src.windowBytes + src.overlap, src.byteLength);
    const absStart = src.fileOffset + logicalStart;
    const binding = src.binding;
    const mapStart = binding === undefined ? absStart : Math.min(absStart, addonLimits(src.pageSize).maxFileOffset);
    const bytes = src.fileOffset + logicalEnd - mapStart;
    const buffer = binding === undefined ? this.#read(mapStart, bytes, onEof) : (this.reuse(mapStart, bytes) ?? this.map(mapStart, bytes));
    this.#windows[k] = buffer;
    this.#bases[k] = mapStart - src.fileOffset;
    // Writable mappings are counted per open file holding them ('read' ones are never detached).
    if (src.mode !== 'read' && binding !== undefined) addHolder(buffer, src.holder);
    return buffer;
  }

  #reuseKey(mapStart: number, bytes: number): string | undefined {
    const src = this.#source;
    return src.identity === undefined ? undefined : `${src.identity}:${src.mode}:${mapStart}:${bytes}`;
  }

  /** A live mapping of the same file, mode and range from an earlier open, or `undefined` (always in fallback mode). */
  reuse(mapStart: number, bytes: number): Buffer | undefined {
    const src = this.#source;
    if (src.binding === undefined) return undefined;
    return reuseMapping(src.binding, this.#reuseKey(mapStart, bytes), this.#advice, src.path, mapStart, bytes);
  }

  /** Maps `bytes` from `mapStart` (offered to later opens); the addon must be loaded. */
  map(mapStart: number, bytes: number): Buffer {
    const src = this.#source;
    return mapRange(src.binding!, this.#reuseKey(mapStart, bytes), { fd: src.fd, mode: src.mode, advice: this.#advice, path: src.path }, mapStart, bytes);
  }

  #read(position: number, bytes: number, onEof: (size: number) => never): Buffer {
    const buffer = Buffer.allocUnsafe(bytes);
    let done = 0;
    while (done < bytes) {
      let n: number;
      try {
        n = readSync(this.#source.fd, buffer, done, bytes - done, position + done);
      } catch (err) {
        throw ioError('read', this.#source.path, err);
      }
      if (n === 0) onEof(position + done);
      done += n;
    }
    return buffer;
  }

  /**
   * Replaces the windows by subarrays of `whole`, one mapping of the whole range, so every slow path keeps
   * working unchanged; the old window Buffers are left to the garbage collector, which unmaps them.
   */
  adopt(whole: Buffer): void {
    const src = this.#source;
    this.#whole = whole;
    for (let k = 0; k < src.windowCount; k += 1) {
      const start = k * src.windowBytes;
      this.#windows[k] = whole.subarray(start, Math.min(start + src.windowBytes, src.byteLength));
      this.#bases[k] = start;
    }
  }

  /** Applies `advice` to every mapped window (or the whole mapping) and to windows mapped later. */
  advise(advice: MappingAdvice): void {
    this.#advice = advice;
    const binding = this.#source.binding;
    if (binding === undefined) return;
    for (const buffer of this.#whole === undefined ? this.#windows : [this.#whole]) {
      if (buffer === undefined) continue;
      try {
        binding.advise(buffer, adviceNumber(binding, advice));
      } catch (err) {
        throw mappingFailed('madvise', this.#source.path, this.#source.fileOffset, buffer.length, err);
      }
    }
  }

  /** Resident and total pages of the loaded windows (read windows count as resident). */
  incore(): { residentPages: number; totalPages: number } {
    const { binding, pageSize, path, fileOffset } = this.#source;
    let resident = 0;
    let total = 0;
    for (const buffer of this.#whole === undefined ? this.#windows : [this.#whole]) {
      if (buffer === undefined) continue;
      if (binding === undefined) {
        const pages = Math.ceil(buffer.length / pageSize);
        resident += pages;
        total += pages;
      } else {
        let out: number;
        let inCore: number;
        try {
          [out, inCore] = binding.incore(buffer);
        } catch (err) {
          throw mappingFailed('mincore', path, fileOffset, buffer.length, err);
        }
        resident += inCore;
        total += out + inCore;
      }
    }
    return { residentPages: resident, totalPages: total };
  }

  /**
   * Drops every window, which lets the garbage collector unmap them (the addon has no explicit unmap), and lets
   * go of the writable ones (`truncatedSize`: the file was found that short, see `dropHolder`).
   */
  clear(truncatedSize: number | undefined): void {
    // Writable windows are never adopted into a whole mapping, so #windows holds exactly the mappings counted in
    // load; a second clear finds it empty and counts nothing twice.
    if (this.#source.mode !== 'read') {
      for (const buffer of this.#windows) if (buffer !== undefined) dropHolder(buffer, this.#source.holder, truncatedSize);
    }
    this.#windows.fill(undefined);
    this.#whole = undefined;
  }
}
