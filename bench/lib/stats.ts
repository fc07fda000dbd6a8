export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Half the range as a percentage of the median: how far apart the rounds were. */
  spreadPct: number;
}

/** The p-th percentile (0..100) with linear interpolation between neighbours, as numpy does by default. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be within 0..100, not ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summary of no values');
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return {
    n: values.length,
    median: m,
    min,
    max,
    spreadPct: m === 0 ? 0 : ((max - min) / 2 / Math.abs(m)) * 100,
  };
}

/** TeamHub ÷ peer, or undefined when either side has no numbers or the peer's median is 0. */
export function ratioOf(
  teamhub: readonly number[] | undefined,
  peer: readonly number[] | undefined,
): number | undefined {
  if (!teamhub?.length || !peer?.length) return undefined;
  const p = median(peer);
  return p === 0 ? undefined : median(teamhub) / p;
}
