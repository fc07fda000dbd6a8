export interface Segment {
  text: string;
  fg: string | null;
  bold: boolean;
}

const COLOURS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters by nature.
const SGR = /\x1b\[([0-9;]*)m/g;
// eslint-disable-next-line no-control-regex -- the same, for sequences other than colours (cursor moves etc.).
const OTHER_ESCAPES = /\x1b\[[0-9;?]*[A-Za-ln-z]/g;

/** Splits a log line into coloured segments (SGR colours and bold); other escapes are dropped. */
export function parseAnsi(line: string): Segment[] {
  const clean = line.replace(OTHER_ESCAPES, '');
  const out: Segment[] = [];
  let fg: string | null = null;
  let bold = false;
  let last = 0;
  for (const m of clean.matchAll(SGR)) {
    if (m.index > last) out.push({ text: clean.slice(last, m.index), fg, bold });
    last = m.index + m[0].length;
    const codes = (m[1] ?? '').split(';').map((c) => (c === '' ? 0 : Number(c)));
    for (const c of codes) {
      if (c === 0) {
        fg = null;
        bold = false;
      } else if (c === 1) bold = true;
      else if (c === 22) bold = false;
      else if (c === 39) fg = null;
      else if (c >= 30 && c <= 37) fg = COLOURS[c - 30] ?? null;
      else if (c >= 90 && c <= 97) fg = `bright-${COLOURS[c - 90]}`;
    }
  }
  if (last < clean.length) out.push({ text: clean.slice(last), fg, bold });
  return out;
}

export const stripAnsi = (line: string) => line.replace(OTHER_ESCAPES, '').replace(SGR, '');
