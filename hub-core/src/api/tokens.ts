import { Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { tokenScopes } from '../http/auth-context.js';
import { expandScopes, parseScopes, check, scopeProblem, userScopes } from '../scopes.js';
import type { TokenRow, UserRow } from '../store/store.js';
import { issueToken } from '../tokens.js';
import { bodyObject, caller, findUser, needScope, userTarget, jsonBody } from './common.js';
import { tokenModel } from './models.js';

const ROLE_SCOPES: Record<string, string[]> = {
  user: ['self'],
  token: ['inherit'],
  server: ['users:activity!user', 'access:servers!user'],
};

function findTokenOf(ctx: HubContext, user: UserRow, id: string): TokenRow {
  const m = /^a(\d+)$/.exec(id);
  const token = m ? ctx.store.getToken(Number(m[1])) : undefined;
  if (!token || token.user_id !== user.id)
    throw new HubError(404, 'no-token', `No such token ${id} for user ${user.name}`);
  return token;
}

export function tokenRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('64kb');
  const model = (t: TokenRow, owner: UserRow) => tokenModel(ctx, t, [...tokenScopes(ctx, t, owner)].sort());

  r.get('/hub/api/users/:name/tokens', (req, res) => {
    const auth = caller(ctx, req, res);
    const user = findUser(ctx, String(req.params.name));
    needScope(auth, ['read:tokens'], userTarget(ctx, user));
    ctx.store.deleteExpiredTokens();
    const tokens = ctx.store
      .tokensOf(user.id)
      .sort((a, b) => (a.last_activity ?? a.created).localeCompare(b.last_activity ?? b.created));
    res.json({ api_tokens: tokens.map((t) => model(t, user)) });
  });

  r.post('/hub/api/users/:name/tokens', json, (req, res) => {
    const auth = caller(ctx, req, res);
    const body = bodyObject(req, 'a JSON object or empty');
    const user = ctx.store.getUser(String(req.params.name));
    if (!user || check(auth.parsed, 'tokens', userTarget(ctx, user)) !== 'yes') {
      throw new HubError(
        403,
        'no-token-right',
        `User ${String(req.params.name)} not found or no permissions to generate tokens`,
      );
    }
    for (const key of ['roles', 'scopes']) {
      const v = body[key];
      if (v !== undefined && v !== null && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
        throw new HubError(
          400,
          'bad-token-request',
          `token ${key} must be null or a list of strings, not ${JSON.stringify(v)}`,
        );
      }
    }
    const expiresIn = body.expires_in;
    if (!(
      expiresIn === undefined ||
      expiresIn === null ||
      (Number.isInteger(expiresIn) && (expiresIn as number) > 0)
    )) {
      throw new HubError(
        400,
        'bad-token-request',
        `token expires_in must be null or a positive integer (seconds), not ${JSON.stringify(expiresIn)}`,
      );
    }
    if (body.note !== undefined && body.note !== null && typeof body.note !== 'string') {
      throw new HubError(400, 'bad-token-request', 'token note must be a string');
    }
    const roles = (body.roles as string[] | null | undefined) ?? [];
    for (const role of roles) {
      if (!(role in ROLE_SCOPES))
        throw new HubError(
          400,
          'bad-token-request',
          `Role ${role} does not exist (known: ${Object.keys(ROLE_SCOPES).join(', ')}).`,
        );
    }
    const requested = [
      ...((body.scopes as string[] | null | undefined) ?? []),
      ...roles.flatMap((r) => ROLE_SCOPES[r] ?? []),
    ];
    const raw = requested.length ? requested : ['inherit'];
    for (const s of raw) {
      const problem = scopeProblem(s);
      if (problem) throw new HubError(400, 'bad-scope', `Cannot create a token with scope ${s}: ${problem}.`);
    }
    // Nobody mints a token broader than the owner's rights or the requester's own.
    const ownerScopes = userScopes(user);
    const wanted = expandScopes(raw, { name: user.name, scopes: () => ownerScopes });
    const ownerParsed = parseScopes(ownerScopes);
    const beyond = [...wanted].filter((s) => {
      const [base = '', f] = s.split('!');
      const target = f?.startsWith('user=')
        ? { user: f.slice(5) }
        : f?.startsWith('server=')
          ? { server: f.slice(7) }
          : f?.startsWith('group=')
            ? { group: f.slice(6) }
            : {};
      return check(ownerParsed, base, target) !== 'yes' || check(auth.parsed, base, target) !== 'yes';
    });
    if (beyond.length) {
      throw new HubError(
        400,
        'scope-too-broad',
        `Not assigning requested scopes ${beyond.sort().join(', ')}: they are not held by ${beyond.length && auth.user.id !== user.id ? `both ${auth.user.name} and ${user.name}` : user.name}.`,
      );
    }
    const note =
      typeof body.note === 'string' && body.note
        ? body.note
        : `Requested via api${auth.user.id !== user.id ? ` by user ${auth.user.name}` : ''}`;
    const { token, id } = issueToken(ctx.store, {
      userId: user.id,
      kind: 'api',
      scopes: raw,
      note,
      expiresInSeconds: (expiresIn as number | null | undefined) ?? null,
    });
    ctx.events.record({
      level: 'info',
      kind: 'token-created',
      user_name: user.name,
      message: `${auth.user.name} created an API token for ${user.name} (a${id}).`,
      details: { id: `a${id}` },
    });
    res.status(201).json({ ...model(ctx.store.getToken(id) as TokenRow, user), token });
  });

  r.get('/hub/api/users/:name/tokens/:id', (req, res) => {
    const auth = caller(ctx, req, res);
    const user = findUser(ctx, String(req.params.name));
    needScope(auth, ['read:tokens'], userTarget(ctx, user));
    res.json(model(findTokenOf(ctx, user, String(req.params.id)), user));
  });

  r.delete('/hub/api/users/:name/tokens/:id', (req, res) => {
    const auth = caller(ctx, req, res);
    const user = findUser(ctx, String(req.params.name));
    needScope(auth, ['tokens'], userTarget(ctx, user));
    const token = findTokenOf(ctx, user, String(req.params.id));
    // An OAuth token goes with every token of its client for this user, as in JupyterHub.
    if (token.kind === 'oauth' && token.client_id) {
      for (const t of ctx.store.tokensOf(user.id))
        if (t.client_id === token.client_id && t.kind === 'oauth') ctx.store.deleteToken(t.id);
    } else {
      ctx.store.deleteToken(token.id);
    }
    res.status(204).type('text/plain').end();
  });

  return r;
}
