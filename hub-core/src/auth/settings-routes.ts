import { Router } from 'express';
import { caller, needScope } from '../api/common.js';
import type { HubContext } from '../context.js';
import { describeError } from '../errors.js';
import { AuthStore } from './auth-store.js';
import type { OidcLogin } from './oidc.js';
import { lanUrls } from '../ui/settings.js';

/** Field case F05: true when no rule, provider setting or added user lets anyone but admins in. */
export function onlyAdminsCanSignIn(ctx: HubContext): boolean {
  const auth = ctx.config.auth;
  const someoneElse =
    auth.allowAll ||
    auth.allowedUsers.length > 0 ||
    auth.local.enabled ||
    (auth.github?.allowedOrganizations.length ?? 0) > 0 ||
    auth.oidc.some((p) => p.allowedGroups.length > 0 || p.adminGroups.length > 0) ||
    ctx.store.listUsers().some((u) => !u.admin && u.added_by === 'admin');
  return !someoneElse;
}

/** Teammates' host:port: the LAN sharing listeners, or every LAN address when bound to all. */
export function teammateHosts(ctx: HubContext): string[] {
  const shared = ctx.lan.state();
  return lanUrls(ctx.config.ip, shared.port ?? ctx.config.port, shared.addresses).map((u) => new URL(u).host);
}

/** The callback URLs to register: the configured one, else this hub's and one per teammate address. */
export function callbackUrls(
  configured: string | undefined,
  fallback: string,
  path: string,
  hosts: string[],
) {
  return configured ? [configured] : [fallback, ...hosts.map((h) => `http://${h}${path}`)];
}

const DISCOVERY_WAIT_MS = 4000;

async function discoveryCheck(p: OidcLogin): Promise<{ ok: boolean; message?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ ok: boolean; message: string }>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          message: `no answer yet from ${p.cfg.issuer} after ${DISCOVERY_WAIT_MS / 1000} s`,
        }),
      DISCOVERY_WAIT_MS,
    );
  });
  const answer = p.configuration().then(
    () => ({ ok: true }),
    (err: unknown) => ({ ok: false, message: describeError(err) }),
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /hub/api/auth/settings (admins): what each provider needs registered (callback URLs, scopes),
 * whether each OpenID provider's discovery answers, and the warning when only admins can sign in
 * (field case F05). For the settings screen; no secrets.
 */
export function authSettingsRoutes(ctx: HubContext): Router {
  const r = Router();
  r.get('/hub/api/auth/settings', async (req, res) => {
    needScope(caller(ctx, req, res), ['admin:users']);
    const auth = ctx.config.auth;
    const lan = teammateHosts(ctx);
    const urls = (configured: string | undefined, fallback: string, path: string) =>
      callbackUrls(configured, fallback, path, lan);
    const providers: Record<string, unknown>[] = [];
    if (auth.github && ctx.github) {
      const orgs = auth.github.allowedOrganizations;
      providers.push({
        id: 'github',
        kind: 'github',
        label: 'GitHub',
        callbackUrls: urls(auth.github.callbackUrl, ctx.github.callbackUrl, '/hub/oauth_callback'),
        scopes: [...new Set([...auth.github.scopes, ...(orgs.length ? ['read:org'] : [])])],
        deviceFlow: auth.github.deviceFlow,
        allowedOrganizations: orgs,
      });
    }
    // Every provider's discovery at once, each given a few seconds: the screen must not wait minutes.
    const checks = await Promise.all(ctx.oidc.map((p) => discoveryCheck(p)));
    for (const [i, p] of ctx.oidc.entries()) {
      const check = checks[i];
      providers.push({
        id: `oidc-${p.cfg.id}`,
        kind: 'oidc',
        label: p.label,
        issuer: p.cfg.issuer,
        callbackUrls: urls(p.cfg.callbackUrl, p.callbackUrl, `/hub/oidc/${p.cfg.id}/callback`),
        scopes: [...new Set(['openid', ...p.cfg.scopes])],
        usernameClaim: p.cfg.usernameClaim,
        groupsClaim: p.cfg.groupsClaim,
        allowedGroups: p.cfg.allowedGroups,
        adminGroups: p.cfg.adminGroups,
        discovery: check,
      });
    }
    if (auth.local.enabled) {
      providers.push({
        id: 'local',
        kind: 'local',
        label: 'a TeamHub account',
        signup: auth.local.signup,
        pendingSignups: new AuthStore(ctx.store.db).pendingAccounts().length,
      });
    }
    res.json({
      providers,
      allowAll: auth.allowAll,
      teammateAddresses: lan.map((h) => `http://${h}/hub/`),
      warnings: !onlyAdminsCanSignIn(ctx)
        ? []
        : ['Only admins can log in: add users/orgs or enable allow-all (auth.allowedUsers, auth.allowAll).'],
    });
  });
  return r;
}
