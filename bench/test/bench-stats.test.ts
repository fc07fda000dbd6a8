import { describe, expect, it } from 'vitest';
import { median, percentile, ratioOf, summarize } from '../lib/stats.js';
import { formatNumber, formatRatio, renderTable } from '../lib/table.js';
import { evaluateRow, evaluateTarget } from '../lib/targets.js';
import type { Row } from '../lib/types.js';
import { parseOptions, rotation } from '../lib/options.js';

describe('bench statistics', () => {
  it('takes medians of odd and even counts, unsorted', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates percentiles between neighbours', () => {
    const values = Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([10, 20], 95)).toBeCloseTo(19.5);
    expect(percentile([7], 99)).toBe(7);
  });

  it('refuses empty input and percentiles outside 0..100', () => {
    expect(() => median([])).toThrow(/no values/);
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
  });

  it('gives the spread as half the range over the median', () => {
    expect(summarize([90, 100, 110])).toEqual({ n: 3, median: 100, min: 90, max: 110, spreadPct: 10 });
  });

  it('divides TeamHub by the peer, and has no ratio without both sides', () => {
    expect(ratioOf([30, 31, 29], [10, 9, 11])).toBe(3);
    expect(ratioOf([1], undefined)).toBeUndefined();
    expect(ratioOf([1], [0])).toBeUndefined();
  });
});

const proxyRow: Row = {
  scenario: 'proxy HTTP, 1 route',
  metric: 'req/s',
  better: 'higher',
  samples: { teamhub: [12_000, 12_400, 11_800], chp: [4000, 4100, 3900], direct: [36_000] },
  targets: [
    { kind: 'ratio', peer: 'chp', op: '>=', value: 3 },
    { kind: 'ratio', peer: 'direct', op: '>=', value: 0.4 },
  ],
};

describe('bench targets', () => {
  it('meets a ratio target on the medians and misses the other', () => {
    const [chp, direct] = evaluateRow(proxyRow);
    expect(chp).toEqual({ text: '≥ 3× CHP 5.3', met: true, actual: 3 });
    expect(direct?.met).toBe(false);
    expect(direct?.actual).toBeCloseTo(1 / 3);
  });

  it('checks absolute targets in the row unit, and says when a side was not measured', () => {
    const cold: Row = {
      scenario: 'cold start',
      metric: 'ms',
      better: 'lower',
      samples: { teamhub: [310, 290, 350] },
    };
    expect(evaluateTarget(cold, { kind: 'absolute', op: '<=', value: 300 })).toEqual({
      text: '≤ 300 ms',
      met: false,
      actual: 310,
    });
    expect(
      evaluateTarget(cold, { kind: 'ratio', peer: 'jupyterhub', op: '<=', value: 0.6 }).met,
    ).toBeUndefined();
  });
});

describe('bench table', () => {
  it('formats numbers to three significant digits with k and M', () => {
    expect(formatNumber(4123)).toBe('4123');
    expect(formatNumber(41_234)).toBe('41.2k');
    expect(formatNumber(2_500_000)).toBe('2.50M');
    expect(formatNumber(0.0567)).toBe('0.0567');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatRatio(3.04)).toBe('×3.04');
    expect(formatRatio(0.333)).toBe('×0.33');
    expect(formatRatio(21.6)).toBe('×22');
  });

  it('prints medians, spread, ratios to each peer, targets and footnotes in one table', () => {
    const spawn: Row = {
      scenario: 'spawn',
      metric: 's',
      better: 'lower',
      samples: { teamhub: [1.0], docker: [0.8] },
      notes: { jupyterhub: 'not installable here' },
      targets: [{ kind: 'ratio', peer: 'docker', op: '<=', value: 1.2 }],
    };
    const lines = renderTable([proxyRow, spawn]).split('\n');
    expect(lines[0]).toMatch(
      /^\| scenario +\| metric +\| TeamHub +\| CHP 5\.3 +\| direct +\| JupyterHub 3\.0 +\| docker run +\| target +\| result +\|$/,
    );
    expect(lines[2]).toContain('| 12.0k ±3% ');
    expect(lines[2]).toContain('| 4000 ±3% (×3.00) ');
    expect(lines[2]).toContain('| 36.0k (×0.33) ');
    expect(lines[2]).toContain('≥ 3× CHP 5.3; ≥ 0.4× direct');
    expect(lines[2]).toMatch(/\| met; MISSED +\|$/);
    expect(lines[3]).toContain('| n/a [1] ');
    expect(lines[3]).toContain('| 0.8 (×1.25) ');
    expect(lines[3]).toMatch(/\| MISSED +\|$/);
    expect(lines.at(-1)).toBe('[1] not installable here');
    // Every line of the table has the same width.
    expect(new Set(lines.slice(0, 4).map((l) => l.length)).size).toBe(1);
  });
});

describe('bench options', () => {
  it('rotates the order of peers each round', () => {
    expect(rotation(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotation(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });

  it('reduces counts in quick mode and refuses unknown arguments', () => {
    expect(parseOptions(['--quick']).concurrentSpawns).toEqual([3, 6]);
    expect(parseOptions([]).concurrentSpawns).toEqual([10, 50]);
    expect(parseOptions(['--only=api']).only).toEqual(['api']);
    expect(() => parseOptions(['--fast'])).toThrow(/unknown argument --fast/);
  });
});
