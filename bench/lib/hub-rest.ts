import { httpRequest } from './proc.js';

export const PAGINATION = 'application/jupyterhub-pagination+json';

/** A JupyterHub-style REST call that must succeed; the body is parsed as JSON. */
export async function hubCall(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  accept?: string,
): Promise<unknown> {
  const a = await httpRequest(`${base}${path}`, {
    method,
    headers: {
      authorization: `token ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(accept ? { accept } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: 300_000,
  });
  if (a.status >= 300) throw new Error(`${method} ${base}${path}: ${a.status} ${a.body.slice(0, 300)}`);
  return a.body ? (JSON.parse(a.body) as unknown) : undefined;
}

/** Creates users in batches of 250 with the list form of POST /hub/api/users (both hubs accept it). */
export async function createUsers(base: string, token: string, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 250)
    await hubCall(base, token, 'POST', '/hub/api/users', { usernames: names.slice(i, i + 250) });
}

/** A new API token for a user, as a client would get one (not one of the config's tokens). */
export async function newToken(base: string, adminToken: string, user: string): Promise<string> {
  const r = (await hubCall(base, adminToken, 'POST', `/hub/api/users/${user}/tokens`, {
    note: 'bench',
  })) as { token?: string };
  if (!r.token) throw new Error(`no token in the answer of ${base} for ${user}`);
  return r.token;
}
