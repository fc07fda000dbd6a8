/**
 * The two pages the window shows before the hub does: a splash while it starts and an error screen
 * when it cannot. Both are self-contained data: URLs (no scripts, a strict CSP), so they need no file
 * on disk and no bridge.
 */

export interface Problem {
  message: string;
  fix?: string | undefined;
  evidence?: string[] | undefined;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;padding:48px;color:#1f2328;background:#f6f8fa}
h1{font-size:22px;margin:0 0 16px}li{margin:0 0 14px}.fix{color:#0b5394}.ev{color:#57606a;font:12px monospace}
@media (prefers-color-scheme: dark){body{color:#e6edf3;background:#0d1117}.fix{color:#79c0ff}.ev{color:#8b949e}}`;

function page(title: string, body: string): string {
  const html = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}

export function splashPage(): string {
  return page('TeamHub', '<h1>TeamHub is starting…</h1><p>Opening the database and checking Docker.</p>');
}

/** The error screen: what failed, then each failed doctor check with its fix and evidence. */
export function errorPage(headline: string, problems: Problem[]): string {
  const items = problems
    .map(
      (p) =>
        `<li>${escapeHtml(p.message)}${p.fix ? `<br><span class="fix">Fix: ${escapeHtml(p.fix)}</span>` : ''}` +
        (p.evidence ?? []).map((e) => `<br><span class="ev">${escapeHtml(e)}</span>`).join('') +
        '</li>',
    )
    .join('');
  return page(
    'TeamHub could not start',
    `<h1>${escapeHtml(headline)}</h1><ul>${items}</ul>` +
      '<p>After fixing it, choose <b>Try again</b> in the TeamHub menu or the tray icon.</p>',
  );
}

/** Reads a data: URL made here back into text (tests and the launch check look at what is shown). */
export function pageText(dataUrl: string): string {
  return decodeURIComponent(dataUrl.slice(dataUrl.indexOf(',') + 1));
}
