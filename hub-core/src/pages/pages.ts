import { layout, problemCard, type ProblemView } from './html.js';

export function problemPage(status: number, p: ProblemView, user?: string): string {
  const back = p.actions ?? '<p><a class="button" href="/hub/home">Back to TeamHub</a></p>';
  return layout(`${status} ${p.title}`, problemCard({ ...p, actions: back }), user ? { user } : {});
}
