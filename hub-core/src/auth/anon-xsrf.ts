import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { appendSetCookie, parseCookies, serializeCookie } from '../http/cookies.js';
import { randomId } from '../tokens.js';

const ANON_COOKIE = 'teamhub-anon';
const ANON_SECONDS = 86400;

/**
 * XSRF tokens for forms used before anyone is signed in (password sign-in, sign-up, invites, first
 * run): bound to a signed random browser id, so another site cannot post them on a visitor's behalf.
 */
export function anonXsrf(ctx: HubContext, req: Request, res: Response): string {
  let id = ctx.signer.verify<string>(parseCookies(req.headers.cookie)[ANON_COOKIE]);
  if (!id) {
    id = randomId();
    appendSetCookie(
      res,
      serializeCookie(ANON_COOKIE, ctx.signer.sign(id, ANON_SECONDS), {
        path: '/hub/',
        maxAgeSeconds: ANON_SECONDS,
      }),
    );
  }
  return ctx.signer.tag(`anon-xsrf:${id}`);
}

export function checkAnonXsrf(ctx: HubContext, req: Request): void {
  const id = ctx.signer.verify<string>(parseCookies(req.headers.cookie)[ANON_COOKIE]);
  const body = req.body as Record<string, unknown> | undefined;
  const given = Buffer.from(typeof body?._xsrf === 'string' ? body._xsrf : '', 'utf8');
  const expected = Buffer.from(id ? ctx.signer.tag(`anon-xsrf:${id}`) : '', 'utf8');
  if (!id || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new HubError(
      403,
      'xsrf',
      'This form is out of date or was sent from another site; reload the page and try again.',
    );
  }
}
