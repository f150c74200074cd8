/** `length` ranks in 0…n−1 drawn from Zipf(s) with a fixed seed, spread over the key space. */
export function zipfSequence(n: number, length: number, s?: number): Int32Array;
