// How long the event loop stalls while a call runs: a 1 ms setInterval whose gaps between
// ticks are recorded. Used by bench/threads.ts around addBatch / addBatchAsync / knnGraph.
import { percentile } from './stats.js';

export interface Stall {
  /** Longest gap between two ticks, ms (a tick due every 1 ms; Node fires them at >= 1 ms). */
  maxGapMs: number;
  /** 99th percentile of the gaps, ms. */
  p99GapMs: number;
  /** Ticks seen during the call (and the tick after it). */
  ticks: number;
}

/**
 * Runs `work` with a 1 ms interval ticking around it and returns its result, its wall
 * time and the stall. The interval starts a few ticks before `work` and stops at the first
 * tick after it settles, so a call that blocks the thread throughout (a sync addBatch)
 * shows as one gap as long as itself.
 */
export async function withTicker<T>(work: () => T | Promise<T>): Promise<{ value: T; ms: number; stall: Stall }> {
  const gaps: number[] = [];
  let last = performance.now();
  let onTick: (() => void) | undefined;
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    onTick?.();
  }, 1);
  const nextTick = () => new Promise<void>((resolve) => { onTick = () => { onTick = undefined; resolve(); }; });
  try {
    for (let i = 0; i < 3; i++) await nextTick(); // the interval is running and `last` is fresh
    gaps.length = 0;
    const start = performance.now();
    const value = await work();
    const ms = performance.now() - start;
    await nextTick(); // records the gap that spans a blocking call
    return { value, ms, stall: { maxGapMs: Math.max(...gaps), p99GapMs: percentile(gaps, 99), ticks: gaps.length } };
  } finally {
    clearInterval(timer);
  }
}
