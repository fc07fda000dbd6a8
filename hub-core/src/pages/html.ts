/** Escapes text for HTML element content and attribute values. */
export function h(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:.7em 1.5em;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff}
main{max-width:46em;margin:2em auto;padding:0 1em}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:1.2em 1.5em;margin-bottom:1em}
button,.button{font:inherit;padding:.55em 1.1em;border-radius:6px;border:1px solid #1d2330;background:#1d2330;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#1d2330}
.problem{border-color:#c0392b;background:#fdf1f0}
.problem h2{color:#a02a1e;margin-top:0}
pre{background:#1d2330;color:#e8e8e8;padding:.8em;border-radius:6px;overflow:auto;font-size:.85em;max-height:24em}
progress{width:100%;height:1.2em}
.muted{color:#5b6475}
code{background:#eef0f3;padding:.1em .3em;border-radius:3px}
`;

export interface LayoutOptions {
  user?: string;
}

export function layout(title: string, body: string, o: LayoutOptions = {}): string {
  const who = o.user ? `<span>${h(o.user)} · <a href="/hub/logout">Sign out</a></span>` : '<span></span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)} · TeamHub</title><style>${STYLE}</style></head>
<body><header><a href="/hub/home" style="text-decoration:none;font-weight:600">TeamHub</a>${who}</header>
<main>${body}</main></body></html>`;
}

export interface ProblemView {
  title: string;
  message: string;
  evidence?: string[];
  fix?: string;
  actions?: string;
}

/** The one way a failure is shown on a page: the sentence, what we saw, what to do. */
export function problemCard(p: ProblemView): string {
  const evidence = p.evidence?.length
    ? `<p class="muted">What the hub saw:</p><pre>${h(p.evidence.join('\n'))}</pre>`
    : '';
  const fix = p.fix ? `<p><strong>Fix:</strong> ${h(p.fix)}</p>` : '';
  return `<div class="card problem" role="alert"><h2>${h(p.title)}</h2><p class="message">${h(p.message)}</p>${fix}${evidence}${p.actions ?? ''}</div>`;
}
