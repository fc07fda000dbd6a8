import { ratioOf, summarize } from './stats.js';
import { evaluateRow } from './targets.js';
import { PEERS, PEER_LABEL, type PeerId, type Row } from './types.js';

/** Three significant digits, with k/M for large numbers: 4120 → "4.12k", 0.0567 → "0.0567". */
export function formatNumber(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return x.toFixed(0);
  if (abs === 0) return '0';
  return x.toPrecision(3).replace(/\.?0+$/, '');
}

export function formatRatio(r: number): string {
  return `×${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)}`;
}

/** "4.12k ±3%" for TeamHub; other peers add TeamHub ÷ peer: "1.30k ±2% (×3.17)". */
function cell(row: Row, peer: PeerId, footnote: (text: string) => number): string {
  const values = row.samples[peer];
  const note = row.notes?.[peer];
  if (!values?.length) return note ? `n/a [${footnote(note)}]` : '';
  const s = summarize(values);
  let text = formatNumber(s.median);
  if (s.n > 1) text += ` ±${s.spreadPct.toFixed(0)}%`;
  if (peer !== 'teamhub') {
    const r = ratioOf(row.samples.teamhub, values);
    if (r !== undefined) text += ` (${formatRatio(r)})`;
  }
  return note ? `${text} [${footnote(note)}]` : text;
}

function pad(cells: string[], widths: number[]): string {
  return `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
}

/**
 * One Markdown table of every row: medians ± spread per peer, TeamHub ÷ peer in parentheses, the
 * targets and whether they were met; footnotes explain cells without numbers.
 */
export function renderTable(rows: readonly Row[]): string {
  const notes: string[] = [];
  const footnote = (text: string) => {
    const i = notes.indexOf(text);
    if (i >= 0) return i + 1;
    notes.push(text);
    return notes.length;
  };
  const peers = PEERS.filter((p) => rows.some((r) => r.samples[p]?.length || r.notes?.[p]));
  const header = ['scenario', 'metric', ...peers.map((p) => PEER_LABEL[p]), 'target', 'result'];
  const body = rows.map((row) => {
    const results = evaluateRow(row);
    const metric = `${row.metric} (${row.better === 'higher' ? '↑' : '↓'})`;
    return [
      row.scenario,
      metric,
      ...peers.map((p) => cell(row, p, footnote)),
      results.map((r) => r.text).join('; '),
      results.map((r) => (r.met === undefined ? 'not measured' : r.met ? 'met' : 'MISSED')).join('; '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const lines = [pad(header, widths), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const b of body) lines.push(pad(b, widths));
  const legend =
    'Cells: median ± half the range over rounds as % of the median; (×r) = TeamHub ÷ that peer. ↑ higher is better, ↓ lower is better.';
  return [...lines, '', legend, ...notes.map((n, i) => `[${i + 1}] ${n}`)].join('\n');
}
