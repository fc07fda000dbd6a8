import { useEffect, useMemo, useRef, useState } from 'react';
import { parseAnsi, stripAnsi } from '../ansi';
import { useFormat, useT } from '../i18n';

export interface LogLine {
  ts: string | null;
  text: string;
}

const ROW = 20;
const OVERSCAN = 20;

function Highlighted({ text, needle }: { text: string; needle: string }) {
  if (!needle) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  let i = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, i)) {
    parts.push(text.slice(i, at), <mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    i = at + needle.length;
  }
  parts.push(text.slice(i));
  return <>{parts}</>;
}

function Row({
  line,
  needle,
  showTs,
  fmt,
}: {
  line: LogLine;
  needle: string;
  showTs: boolean;
  fmt: (iso: string) => string;
}) {
  return (
    <div className="log-row">
      {showTs ? <span className="log-ts">{line.ts ? fmt(line.ts) : ''}</span> : null}
      {parseAnsi(line.text).map((s, i) => (
        <span key={i} className={`${s.fg ? `ansi-${s.fg}` : ''}${s.bold ? ' ansi-bold' : ''}`}>
          <Highlighted text={s.text} needle={needle} />
        </span>
      ))}
    </div>
  );
}

/**
 * A virtualised log: only the rows in view are in the DOM, so 100k lines scroll smoothly. Follows the
 * end unless paused or scrolled up; search shows matching lines only, with the match highlighted.
 */
export function LogViewer({
  lines,
  downloadUrl,
  status,
}: {
  lines: LogLine[];
  downloadUrl: string;
  status: string;
}) {
  const t = useT();
  const f = useFormat();
  const box = useRef<HTMLDivElement>(null);
  const [paused, setPaused] = useState(false);
  const [frozen, setFrozen] = useState<LogLine[] | null>(null);
  const [query, setQuery] = useState('');
  const [showTs, setShowTs] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);
  const needle = query.trim().toLowerCase();
  const source = paused && frozen ? frozen : lines;
  const shown = useMemo(
    () => (needle ? source.filter((l) => stripAnsi(l.text).toLowerCase().includes(needle)) : source),
    [source, needle],
  );
  // Following stops only when the person scrolls up, not when lines arrive faster than scroll events.
  const atEnd = useRef(true);
  const lastTop = useRef(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = box.current;
    if (el && atEnd.current && !paused) {
      el.scrollTop = el.scrollHeight;
      lastTop.current = el.scrollTop;
    }
  }, [shown.length, paused]);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const fmtTs = (iso: string) => f.time(iso);

  return (
    <div className="log-viewer">
      <div className="toolbar" role="toolbar" aria-label={t('logTools')}>
        <button
          type="button"
          id="log-pause"
          className="secondary"
          aria-pressed={paused}
          onClick={() => {
            setFrozen(paused ? null : lines);
            setPaused(!paused);
          }}
        >
          {paused ? t('resume') : t('pause')}
        </button>
        <label className="inline">
          <input type="checkbox" checked={showTs} onChange={(e) => setShowTs(e.target.checked)} />
          {t('timestamps')}
        </label>
        <input
          type="search"
          id="log-search"
          placeholder={t('searchLogs')}
          aria-label={t('searchLogs')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <a className="button secondary" id="log-download" href={downloadUrl} download>
          {t('download')}
        </a>
        <span className="muted log-count" aria-live="polite">
          {needle
            ? t('matchCount', { n: f.number(shown.length), total: f.number(source.length) })
            : t('lineCount', { n: f.number(source.length) })}
          {' · '}
          {status}
        </span>
      </div>
      <div
        className="log-box"
        ref={box}
        id="log-lines"
        data-lines={source.length}
        role="log"
        aria-label={t('logLines')}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          setScrollTop(el.scrollTop);
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - ROW * 2) atEnd.current = true;
          else if (el.scrollTop < lastTop.current) atEnd.current = false;
          lastTop.current = el.scrollTop;
        }}
      >
        <div style={{ height: shown.length * ROW, position: 'relative' }}>
          <div style={{ position: 'absolute', top: first * ROW, left: 0, right: 0 }}>
            {shown.slice(first, last).map((l, i) => (
              <Row key={first + i} line={l} needle={needle} showTs={showTs} fmt={fmtTs} />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
