import { median, ratioOf } from './stats.js';
import { PEER_LABEL, type Row, type Target } from './types.js';

export interface TargetResult {
  text: string;
  /** undefined: a side of the comparison was not measured. */
  met: boolean | undefined;
  actual: number | undefined;
}

export function describeTarget(t: Target, unit = ''): string {
  const op = t.op === '>=' ? '≥' : '≤';
  if (t.kind === 'ratio') return `${op} ${t.value}× ${PEER_LABEL[t.peer]}`;
  return `${op} ${t.value}${unit ? ` ${unit}` : ''}`;
}

export function evaluateTarget(row: Row, t: Target): TargetResult {
  const teamhub = row.samples.teamhub;
  const actual =
    t.kind === 'ratio'
      ? ratioOf(teamhub, row.samples[t.peer])
      : teamhub?.length
        ? median(teamhub)
        : undefined;
  const met = actual === undefined ? undefined : t.op === '>=' ? actual >= t.value : actual <= t.value;
  return { text: describeTarget(t, t.kind === 'absolute' ? row.metric : ''), met, actual };
}

export function evaluateRow(row: Row): TargetResult[] {
  return (row.targets ?? []).map((t) => evaluateTarget(row, t));
}
