import { h, layout, problemCard, type ProblemView } from './html.js';

export function loginPage(o: {
  next: string;
  github: boolean;
  githubProblem?: string;
  message?: string;
}): string {
  const next = o.next ? `?next=${encodeURIComponent(o.next)}` : '';
  const buttons = o.github
    ? `<p><a class="button" id="login-github" href="/hub/oauth_login${h(next)}">Sign in with GitHub</a></p>`
    : '';
  const notice = o.githubProblem
    ? problemCard({ title: 'No sign-in method is ready', message: o.githubProblem })
    : '';
  const message = o.message ? `<div class="card"><p>${h(o.message)}</p></div>` : '';
  return layout(
    'Sign in',
    `${message}<div class="card"><h1>Sign in to TeamHub</h1>${buttons}</div>${notice}`,
  );
}

export function problemPage(status: number, p: ProblemView, user?: string): string {
  const back = p.actions ?? '<p><a class="button" href="/hub/home">Back to TeamHub</a></p>';
  return layout(`${status} ${p.title}`, problemCard({ ...p, actions: back }), user ? { user } : {});
}
