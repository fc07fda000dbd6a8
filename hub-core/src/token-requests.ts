import { HubError } from './errors.js';
import {
  ADMIN_ROLE_SCOPES,
  type Filters,
  type Target,
  check,
  expandScopes,
  parseScopes,
  scopeProblem,
  userScopes,
} from './scopes.js';
import type { UserRow } from './store/store.js';

/** Longest token lifetime: ten years. (Later dates are past what timestamps here compare correctly.) */
export const MAX_TOKEN_SECONDS = 10 * 365 * 86400;

export const ROLE_SCOPES: Record<string, string[]> = {
  user: ['self'],
  admin: ADMIN_ROLE_SCOPES,
  token: ['inherit'],
  server: ['users:activity!user', 'access:servers!user'],
};

export function expiryProblem(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) <= 0)
    return `must be null or a whole number of seconds above 0, not ${JSON.stringify(v)}`;
  if ((v as number) > MAX_TOKEN_SECONDS)
    return `must be at most ${MAX_TOKEN_SECONDS} seconds (ten years), not ${String(v)}`;
  return undefined;
}

function targetOf(filter: string | undefined): Target {
  if (filter?.startsWith('user=')) return { user: filter.slice(5) };
  if (filter?.startsWith('server=')) return { server: filter.slice(7) };
  if (filter?.startsWith('group=')) return { group: filter.slice(6) };
  return {};
}

export interface TokenRequest {
  owner: UserRow;
  scopes: string[];
  roles: string[];
  /** Who asks, when it is not the owner's full rights (another user, or a narrow token). */
  requester?: { name: string; parsed: Map<string, Filters>; rawScopes?: string[] };
}

/**
 * The raw scopes a new token gets: what was asked (scopes and roles), or by default what the asker may
 * pass on. Nobody gets a token broader than the owner's rights or the asker's own: the answer is a
 * 400 naming each requested scope that is too broad, and whose rights it exceeds.
 */
export function resolveTokenScopes(r: TokenRequest): string[] {
  for (const role of r.roles) {
    if (!(role in ROLE_SCOPES))
      throw new HubError(
        400,
        'bad-token-request',
        `Role ${role} does not exist (known: ${Object.keys(ROLE_SCOPES).join(', ')}).`,
      );
  }
  const asked = [...r.scopes, ...r.roles.flatMap((role) => ROLE_SCOPES[role] ?? [])];
  const raw = asked.length ? asked : (r.requester?.rawScopes ?? ['inherit']);
  for (const s of raw) {
    const problem = scopeProblem(s);
    if (problem) throw new HubError(400, 'bad-scope', `Cannot create a token with scope ${s}: ${problem}.`);
  }
  const ownerScopes = userScopes(r.owner);
  const ownerParsed = parseScopes(ownerScopes);
  const exceeds = (parsed: Map<string, Filters>) =>
    raw.filter((s) =>
      [...expandScopes([s], { name: r.owner.name, scopes: () => ownerScopes })].some((e) => {
        const [base = '', f] = e.split('!');
        return check(parsed, base, targetOf(f)) !== 'yes';
      }),
    );
  const beyondOwner = exceeds(ownerParsed);
  if (beyondOwner.length) {
    throw new HubError(
      400,
      'scope-too-broad',
      `Not assigning requested scopes ${beyondOwner.join(', ')}: ${r.owner.name} does not hold them${r.owner.admin ? '' : ` (${r.owner.name} is not an admin)`}.`,
    );
  }
  if (r.requester) {
    const beyondRequester = exceeds(r.requester.parsed);
    if (beyondRequester.length) {
      throw new HubError(
        400,
        'scope-too-broad',
        `Not assigning requested scopes ${beyondRequester.join(', ')}: the credentials of ${r.requester.name} used for this request do not hold them.`,
      );
    }
  }
  return raw;
}
