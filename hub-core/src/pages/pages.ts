import type { ServerRow } from '../store/store.js';
import { h, layout, problemCard, type ProblemView } from './html.js';

export interface HomeView {
  user: string;
  prefix: string;
  server: ServerRow | undefined;
  xsrf: string;
  dockerProblem?: ProblemView;
}

export function homePage(v: HomeView): string {
  const status = v.server?.status ?? 'stopped';
  const form = (action: string, label: string, id: string, cls = '') =>
    `<form method="post" action="${action}" style="display:inline"><input type="hidden" name="_xsrf" value="${h(v.xsrf)}">` +
    `<button id="${id}" class="${cls}" type="submit">${h(label)}</button></form>`;
  let body: string;
  if (status === 'running') {
    body =
      `<p>Your server is <strong id="server-status">running</strong> at <code>${h(v.prefix)}</code>.</p>` +
      `<p><a class="button" id="open-server" href="${h(v.prefix)}">Open my server</a> ` +
      `${form('/hub/stop', 'Stop my server', 'stop-server', 'secondary')}</p>`;
  } else if (status === 'spawning') {
    body = `<p>Your server is <strong id="server-status">starting</strong>. <a href="/hub/spawn-pending/${encodeURIComponent(v.user)}">Follow its progress</a>.</p>`;
  } else if (status === 'stopping') {
    body = `<p>Your server is <strong id="server-status">stopping</strong>. Reload in a moment.</p>`;
  } else {
    body =
      `<p>Your server is <strong id="server-status">not running</strong>. Your files are kept between runs.</p>` +
      `<p>${form('/hub/spawn', 'Start my server', 'start-server')}</p>`;
  }
  const failure =
    status === 'failed' && v.server?.failure
      ? problemCard({
          title: 'Your server failed to start',
          message: v.server.failure.message,
          evidence: v.server.failure.evidence,
          ...(v.server.failure.fix ? { fix: v.server.failure.fix } : {}),
          actions: `<p>${form('/hub/spawn', 'Retry', 'retry-server')}</p>`,
        })
      : '';
  const docker = v.dockerProblem ? problemCard(v.dockerProblem) : '';
  return layout('Home', `${docker}<div class="card"><h1>Your server</h1>${body}</div>${failure}`, {
    user: v.user,
  });
}

export function spawnPendingPage(o: { user: string; prefix: string; progressUrl: string }): string {
  return layout(
    'Starting',
    `<div class="card"><h1>Starting your server</h1>
<progress id="progress" max="100" value="0"></progress>
<p id="message" class="muted">Waiting for the hub…</p>
<pre id="log" aria-label="progress log"></pre>
<div id="failed" hidden>${problemCard({ title: 'Your server failed to start', message: '', actions: '<p><a class="button" href="/hub/home">Back to home (Retry)</a></p>' })}</div>
</div>
<script>
const log = document.getElementById('log');
const source = new EventSource(${JSON.stringify(o.progressUrl)});
source.onmessage = (m) => {
  const e = JSON.parse(m.data);
  document.getElementById('progress').value = e.progress || 0;
  document.getElementById('message').textContent = e.message;
  log.textContent += e.message + '\\n';
  if (e.ready) { source.close(); window.location.href = e.url || ${JSON.stringify(o.prefix)}; }
  if (e.failed) { source.close(); const f = document.getElementById('failed'); f.hidden = false; f.querySelector('.message').textContent = e.message; }
};
source.onerror = () => { document.getElementById('message').textContent = 'Lost contact with the hub; reload to try again.'; source.close(); };
</script>`,
    { user: o.user },
  );
}

export function problemPage(status: number, p: ProblemView, user?: string): string {
  const back = p.actions ?? '<p><a class="button" href="/hub/home">Back to TeamHub</a></p>';
  return layout(`${status} ${p.title}`, problemCard({ ...p, actions: back }), user ? { user } : {});
}
