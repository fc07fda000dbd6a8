import { Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { tokenScopes } from '../http/auth-context.js';
import { check } from '../scopes.js';
import type { TokenRow, UserRow } from '../store/store.js';
import { issueToken } from '../tokens.js';
import { expiryProblem, resolveTokenScopes } from '../token-requests.js';
import { bodyObject, caller, findUser, needScope, userTarget, jsonBody } from './common.js';
import { tokenModel } from './models.js';

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
    const expiry = expiryProblem(expiresIn);
    if (expiry) throw new HubError(400, 'bad-token-request', `token expires_in ${expiry}`);
    if (body.note !== undefined && body.note !== null && typeof body.note !== 'string') {
      throw new HubError(400, 'bad-token-request', 'token note must be a string');
    }
    const ownerAsks =
      auth.user.id === user.id && (auth.via === 'cookie' || auth.token?.scopes.includes('inherit'));
    const raw = resolveTokenScopes({
      owner: user,
      scopes: (body.scopes as string[] | null | undefined) ?? [],
      roles: (body.roles as string[] | null | undefined) ?? [],
      ...(ownerAsks
        ? {}
        : {
            requester: {
              name: auth.user.name,
              parsed: auth.parsed,
              ...(auth.token ? { rawScopes: auth.token.scopes } : {}),
            },
          }),
    });
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
