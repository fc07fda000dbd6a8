import crypto from 'node:crypto';
import express, { Router } from 'express';
import type { HubContext } from '../context.js';
import { sessionFromCookie } from '../http/auth-context.js';
import { problemPage } from '../pages/pages.js';
import { now } from '../store/store.js';
import { issueToken, verifyToken } from '../tokens.js';

const CODE_TTL_S = 300;
const TOKEN_TTL_S = 14 * 86400;

function oauthScopes(user: string, server: string): string[] {
  return [
    `access:servers!server=${user}/${server}`,
    `read:users:groups!user=${user}`,
    `read:users:name!user=${user}`,
  ];
}

/** A code of 30 letters and digits, like oauthlib's. */
function newCode(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.randomBytes(30), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The hub as OAuth2 provider for single-user servers (hub-protocol.md §1.5): a signed-in owner is
 * sent back to their server with a one-time code, which the server trades for an access token.
 */
export function oauthProviderRoutes(ctx: HubContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  r.get('/hub/api/oauth2/authorize', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const s = sessionFromCookie(ctx, req);
    if (!s) return res.redirect(302, `/hub/login?next=${encodeURIComponent(req.originalUrl)}`);
    const client = typeof q.client_id === 'string' ? ctx.store.getOAuthClient(q.client_id) : undefined;
    const bad = (message: string) =>
      res
        .status(400)
        .type('html')
        .send(problemPage(400, { title: 'Bad sign-in request', message }, s.user.name));
    if (!client)
      return bad(
        `Unknown OAuth client ${String(q.client_id ?? '(none)')}: the server may have been stopped.`,
      );
    if (q.response_type !== 'code') return bad('Only response_type=code is supported.');
    if (q.redirect_uri !== client.redirect_uri)
      return bad('The redirect_uri does not match the one registered for this server.');
    const owner = client.user_id === null ? undefined : ctx.store.getUserById(client.user_id);
    if (!owner) return bad('This OAuth client has no server owner.');
    if (owner.id !== s.user.id && !s.user.admin) {
      res
        .status(403)
        .type('html')
        .send(
          problemPage(
            403,
            {
              title: 'Not your server',
              message: `You do not have permission to access ${owner.name}'s server.`,
            },
            s.user.name,
          ),
        );
      return;
    }
    const code = newCode();
    ctx.store.insertOAuthCode({
      code,
      client_id: client.id,
      user_id: s.user.id,
      redirect_uri: client.redirect_uri,
      scopes: oauthScopes(owner.name, client.server_name ?? ''),
      session_id: s.session.id,
      expires_at: new Date(Date.now() + CODE_TTL_S * 1000).toISOString(),
    });
    const target = new URL(client.redirect_uri, 'http://placeholder');
    target.searchParams.set('code', code);
    if (typeof q.state === 'string') target.searchParams.set('state', q.state);
    const relative = !/^https?:/.test(client.redirect_uri);
    res.redirect(302, relative ? `${target.pathname}${target.search}` : target.href);
  });

  r.post('/hub/api/oauth2/token', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    let clientId = typeof body.client_id === 'string' ? body.client_id : undefined;
    let secret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
    const basic = /^basic\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (basic) {
      const [id, sec] = Buffer.from(basic[1] as string, 'base64')
        .toString('utf8')
        .split(':');
      clientId = clientId ?? decodeURIComponent(id ?? '');
      secret = secret ?? decodeURIComponent(sec ?? '');
    }
    res.set({ 'cache-control': 'no-store', pragma: 'no-cache' });
    const client = clientId ? ctx.store.getOAuthClient(clientId) : undefined;
    if (!client || !secret || !verifyToken(secret, client.secret_hash)) {
      res
        .status(401)
        .set('www-authenticate', 'Bearer error="invalid_client"')
        .json({ error: 'invalid_client' });
      return;
    }
    if (body.grant_type !== 'authorization_code') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    const code = typeof body.code === 'string' ? ctx.store.takeOAuthCode(body.code) : undefined;
    if (
      !code ||
      code.client_id !== client.id ||
      code.expires_at < now() ||
      code.redirect_uri !== body.redirect_uri
    ) {
      res.status(400).json({ error: 'invalid_grant' });
      return;
    }
    const { token } = issueToken(ctx.store, {
      userId: code.user_id,
      kind: 'oauth',
      scopes: code.scopes,
      clientId: client.id,
      sessionId: code.session_id,
      expiresInSeconds: TOKEN_TTL_S,
    });
    res.json({
      access_token: token,
      expires_in: TOKEN_TTL_S,
      token_type: 'Bearer',
      scope: code.scopes.join(' '),
    });
  });

  return r;
}
