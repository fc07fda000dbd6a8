import type { HubContext } from '../context.js';
import { describeError } from '../errors.js';
import { decideAllow } from './allow.js';
import { AuthStore, authStateKey, type SessionAuthRow } from './auth-store.js';
import { decideOidcAllow } from './oidc-routes.js';
import { rememberEnded } from './session-routes.js';

type Verdict =
  { keep: true; admin?: boolean; state?: SessionAuthRow['auth_state'] } | { keep: false; reason: string };

/**
 * Checks every browser session whose membership was last checked more than
 * auth.refreshIntervalSeconds ago: GitHub organization/team rules with the session's GitHub token,
 * OpenID groups with the refresh token (or userinfo). A user who lost the membership that let them
 * in is signed out (their servers' OAuth tokens of that session go too) and the sign-in page says why.
 * A provider that does not answer keeps the session until the next round.
 */
export async function refreshSessions(ctx: HubContext): Promise<number> {
  const interval = ctx.config.auth.refreshIntervalSeconds;
  if (interval <= 0) return 0;
  const auth = new AuthStore(ctx.store.db, authStateKey(ctx.signer));
  const before = new Date(Date.now() - interval * 1000).toISOString();
  const due = ctx.store.db
    .prepare(
      'SELECT id FROM sessions WHERE provider IS NOT NULL AND (checked_at IS NULL OR checked_at <= ?) AND expires_at > ?',
    )
    .all(before, new Date().toISOString()) as { id: string }[];
  let ended = 0;
  for (const { id } of due) {
    const row = auth.sessionAuth(id);
    const user = row && ctx.store.getUserById(row.user_id);
    if (!row || !user) continue;
    let verdict: Verdict;
    try {
      verdict = await check(ctx, row, user.name);
    } catch (err) {
      ctx.log('warn', `re-checking the sign-in of ${user.name} failed: ${describeError(err)}`);
      continue;
    }
    if (verdict.keep) {
      auth.markChecked(id, verdict.state ?? undefined);
      if (verdict.admin !== undefined && verdict.admin !== user.admin)
        ctx.store.setAdmin(user.id, verdict.admin);
      continue;
    }
    ctx.store.deleteSession(id);
    rememberEnded(ctx, id, verdict.reason);
    ended++;
    ctx.events.record({
      level: 'warn',
      kind: 'session-ended',
      user_name: user.name,
      message: `${user.name} was signed out: ${verdict.reason}`,
      details: { provider: row.provider },
    });
  }
  return ended;
}

async function check(ctx: HubContext, row: SessionAuthRow, name: string): Promise<Verdict> {
  const state = row.auth_state;
  const user = ctx.store.getUser(name);
  const byConfig = decideAllow(name, ctx.config.auth);
  const standing = byConfig.allowed || user?.added_by === 'admin';
  if (row.provider === 'github') {
    // Turned off (not merely off until its secret is entered again): as for a removed OpenID provider.
    if (!ctx.github && !ctx.providersOff.github)
      return { keep: false, reason: 'GitHub sign-in was turned off on this hub.' };
    const rules = ctx.config.auth.github?.allowedOrganizations ?? [];
    if (standing || rules.length === 0 || !ctx.github || !state?.accessToken) return { keep: true };
    const identity = {
      provider: 'github' as const,
      login: state.login,
      id: '',
      grantedScopes: state.grantedScopes ?? [],
      accessToken: state.accessToken,
    };
    for (const rule of rules) {
      if ((await ctx.github.membership(identity, rule)) === 'member') return { keep: true };
    }
    return {
      keep: false,
      reason: `GitHub no longer shows "${state.login}" as a member of ${rules.join(', ')}, which is what let you in.`,
    };
  }
  if (row.provider?.startsWith('oidc:')) {
    const provider = ctx.oidc.find((p) => p.providerKey === row.provider);
    if (!provider) {
      // Off for now (its secret was lost) is not removed: membership cannot be checked until it is back.
      const off = ctx.providersOff.oidc.some((o) => `oidc:${String(o.saved.id)}` === row.provider);
      if (off) return { keep: true };
      return { keep: false, reason: 'the sign-in provider you used was removed from this hub.' };
    }
    const cfg = provider.cfg;
    if (
      (standing && cfg.adminGroups.length === 0) ||
      (cfg.allowedGroups.length === 0 && cfg.adminGroups.length === 0)
    )
      return { keep: true };
    const now = await provider.currentGroups({
      ...(state?.accessToken ? { accessToken: state.accessToken } : {}),
      ...(state?.refreshToken ? { refreshToken: state.refreshToken } : {}),
      subject: state?.subject ?? '',
    });
    if (now === undefined) return { keep: true };
    if (now === 'revoked')
      return { keep: false, reason: `${provider.label} no longer accepts your sign-in; sign in again.` };
    const decision = decideOidcAllow(ctx, cfg, name, now.groups);
    const newState = {
      ...(state ?? { login: name }),
      ...(now.accessToken ? { accessToken: now.accessToken } : {}),
      ...(now.refreshToken ? { refreshToken: now.refreshToken } : {}),
    };
    if (!decision.allowed)
      return {
        keep: false,
        reason: `${provider.label} says you are ${decision.rule.replace(/, not listed.*$/, '')}.`,
      };
    return {
      keep: true,
      state: newState,
      ...(cfg.adminGroups.length ? { admin: decision.admin || byConfig.admin } : {}),
    };
  }
  if (row.provider === 'local') {
    const account = new AuthStore(ctx.store.db).localAccount(name);
    if (!account || account.status !== 'active')
      return { keep: false, reason: 'your password account on this hub was removed.' };
  }
  return { keep: true };
}

/** Runs refreshSessions every few seconds up to once a minute; returns the function that stops it. */
export function startAuthRefresh(ctx: HubContext): () => void {
  const interval = ctx.config.auth.refreshIntervalSeconds;
  if (interval <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(
    () => {
      if (running) return;
      running = true;
      refreshSessions(ctx)
        .catch((err: unknown) => ctx.log('warn', `auth refresh: ${describeError(err)}`))
        .finally(() => (running = false));
    },
    Math.min(60, Math.max(1, interval / 2)) * 1000,
  );
  timer.unref();
  return () => clearInterval(timer);
}
