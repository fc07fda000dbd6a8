/** Escapes text for HTML element content and attribute values. */
export function h(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// The same look as the React app (renderer/src/styles.css): these pages work before sign-in and without JavaScript.
const STYLE = `
body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;margin:0;background:#f6f7f9;color:#1d2330;line-height:1.45}
header{background:#fff;border-bottom:1px solid #dde1e7;padding:.6em 1.5em;display:flex;justify-content:space-between;align-items:center}
header img{display:block}
a{color:#1a56b0}
:focus-visible{outline:3px solid #1a66d6;outline-offset:2px}
main{max-width:46em;margin:2em auto;padding:0 1em}
.card{background:#fff;border:1px solid #dde1e7;border-radius:10px;padding:1.1em 1.4em;margin-bottom:1em}
h1{font-size:1.5em;margin:.2em 0 .7em}
button,.button{font:inherit;padding:.5em 1.1em;border-radius:6px;border:1px solid #1d2330;background:#1d2330;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#1d2330}
input,select,textarea{font:inherit;padding:.45em .6em;border:1px solid #b9c0cb;border-radius:6px}
label{display:flex;flex-direction:column;gap:.25em;font-weight:500;margin-bottom:.7em}
.problem{border-color:#e0a59e;background:#fdf1f0}
.problem h2{color:#8f2417;margin-top:0;font-size:1.15em}
pre{background:#1d2330;color:#e8e8e8;padding:.8em;border-radius:6px;overflow:auto;font-size:.85em;max-height:24em;white-space:pre-wrap}
progress{width:100%;height:1.2em}
.muted{color:#4f5768}
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
<body><header><a href="/hub/home" aria-label="TeamHub home"><img src="/hub/logo" alt="" width="120" height="27"></a>${who}</header>
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
