/** A latency injection range in milliseconds. */
export interface LatencyRange {
  minMs: number;
  maxMs: number;
}

/** Seeded delays in [minMs, maxMs] (mulberry32): the same seed draws the same delays, though stress timing still varies. */
export function latencySampler(range: LatencyRange, seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return range.minMs + u * (range.maxMs - range.minMs);
  };
}
