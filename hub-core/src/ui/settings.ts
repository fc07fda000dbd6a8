import { z } from 'zod';
import { configSchema, type HubConfig } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';
import { lanAddresses } from '../lan-sharing.js';
import {
  type SettingsPatch,
  patchSchema,
  readSavedSettings,
  saveSettings,
  settingsFile,
} from './settings-file.js';
import { someSignInMethod } from '../auth/providers.js';

const FIELD_OF: Record<string, string> = {
  'auth.allowAll': 'access.allowAll',
  'auth.allowedUsers': 'access.allowedUsers',
  'auth.adminUsers': 'access.adminUsers',
  'auth.local.enabled': 'passwords.enabled',
  'auth.local.signup': 'passwords.signup',
  'docker.image': 'spawner.image',
  'docker.allowedImages': 'spawner.allowedImages',
  'docker.memLimit': 'spawner.memLimit',
  'docker.cpuLimit': 'spawner.cpuLimit',
};

export function fieldErrors(issues: z.core.$ZodIssue[], map: (p: string) => string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const i of issues) {
    const key = map(i.path.map(String).join('.'));
    fields[key] ??= plainMessage(i.message);
  }
  return fields;
}

/** zod's wording made plain for a form: "Invalid input: expected string, received undefined" → "required". */
function plainMessage(message: string): string {
  if (/received undefined$/.test(message)) return 'required';
  return message
    .replace(/^(Invalid input|Too small|Too big): /, '')
    .replace(/^expected (\w+) to be /, 'expected $1 ');
}

export function invalid(fields: Record<string, string>): HubError {
  const list = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v.replace(/\.$/, '')}`)
    .join('; ');
  const e = new HubError(400, 'bad-settings', `Some settings are not valid: ${list}.`);
  return Object.assign(e, { fields });
}

/** Applies a patch to a copy of the config and validates the result with the config file's own rules. */
export function patchedConfig(config: HubConfig, body: unknown): { next: HubConfig; saved: SettingsPatch } {
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) throw invalid(fieldErrors(parsed.error.issues, (p) => p || 'body'));
  const patch = parsed.data;
  const copy = structuredClone(config) as HubConfig & { docker: Record<string, unknown> };
  Object.assign(copy.auth, patch.access ?? {});
  copy.auth.local = { ...copy.auth.local, ...(patch.passwords as Partial<HubConfig['auth']['local']>) };
  for (const [k, v] of Object.entries(patch.spawner ?? {})) {
    if (v === null) delete copy.docker[k];
    else copy.docker[k] = v;
  }
  const checked = configSchema.safeParse(copy);
  if (!checked.success) {
    throw invalid(
      fieldErrors(checked.error.issues, (p) => {
        const field = p.replace(/\.\d+$/, '');
        return FIELD_OF[field] ?? field;
      }),
    );
  }
  return { next: checked.data, saved: patch };
}

/** Refuses a change that would leave nobody a way to sign in with a browser. */
export const noSignInLeft = () =>
  new HubError(
    409,
    'last-sign-in-method',
    'That would leave no way to sign in with a browser, so it was not saved.',
    { fix: 'Keep password accounts on, or set up GitHub or an OpenID provider first.' },
  );

/**
 * Settings saved from the UI win over the config file. A saved value the config rules refuse (a hand
 * edit, an older version's file) is left out with a warning; the others still apply.
 */
export function withSavedSettings(config: HubConfig): { config: HubConfig; problem?: string } {
  const { saved, problem } = readSavedSettings(config.dataDir);
  const notes = problem ? [problem] : [];
  const current: SettingsPatch = { ...saved, lan: undefined, providers: undefined };
  for (;;) {
    try {
      const next = patchedConfig(config, current).next;
      return { config: next, ...(notes.length ? { problem: notes.join(' ') } : {}) };
    } catch (err) {
      const fields = Object.entries((err as { fields?: Record<string, string> }).fields ?? {});
      const droppable = fields.filter(([k]) => dropField(current, k));
      if (!droppable.length || droppable.length < fields.length) {
        notes.push(`Settings saved in ${settingsFile(config.dataDir)} were ignored: ${describeError(err)}`);
        return { config, problem: notes.join(' ') };
      }
      for (const [k, why] of droppable)
        notes.push(
          `The saved ${k} in ${settingsFile(config.dataDir)} was left out (${why.replace(/\.$/, '')}).`,
        );
    }
  }
}

/** Removes one saved field ("access.allowedUsers") from a patch; false when there is no such field. */
function dropField(patch: SettingsPatch, field: string): boolean {
  const [section, key] = field.split('.') as [keyof SettingsPatch, string | undefined];
  const values = patch[section] as Record<string, unknown> | undefined;
  if (!key || !values || !(key in values)) return false;
  (patch as Record<string, unknown>)[section] = Object.fromEntries(
    Object.entries(values).filter(([k]) => k !== key),
  );
  return true;
}

/**
 * Validates, applies in place (the hub reads these fields at use time) and saves a settings change.
 * Answers whether password accounts are still on only for now (see keepAWayIn): they stay on until
 * a change turns them on for good.
 */
export function applySettings(config: HubConfig, body: unknown, passwordsForNow = false): boolean {
  const { next, saved } = patchedConfig(config, body);
  if (saved.lan) throw invalid({ lan: 'LAN sharing is changed with PUT /hub/ui/api/settings/lan' });
  if (saved.providers)
    throw invalid({ providers: 'sign-in providers are changed under /hub/ui/api/settings/providers' });
  // While password accounts are on only for now, no change makes the next start worse than it is.
  if (!passwordsForNow && !someSignInMethod(next.auth)) throw noSignInLeft();
  saveSettings(config.dataDir, saved);
  const stillForNow = passwordsForNow && saved.passwords?.enabled !== true;
  config.auth.allowAll = next.auth.allowAll;
  config.auth.local = stillForNow ? { ...next.auth.local, enabled: true } : next.auth.local;
  config.auth.allowedUsers = next.auth.allowedUsers;
  config.auth.adminUsers = next.auth.adminUsers;
  config.docker.image = next.docker.image;
  config.docker.allowedImages = next.docker.allowedImages;
  config.docker.memLimit = next.docker.memLimit;
  config.docker.cpuLimit = next.docker.cpuLimit;
  if (next.docker.memLimit === undefined) delete config.docker.memLimit;
  if (next.docker.cpuLimit === undefined) delete config.docker.cpuLimit;
  return stillForNow;
}

/** The URLs teammates can open: the shared LAN listeners, or every LAN address when bound to all. */
export function lanUrls(ip: string, port: number, shared: string[], addresses = lanAddresses()): string[] {
  const url = (a: string) => `http://${a}:${port}/`;
  if (ip === '0.0.0.0' || ip === '::') return addresses.map(url);
  const loopback = ip === '127.0.0.1' || ip === '::1' || ip === 'localhost';
  return [...(loopback ? [] : [ip]), ...shared].map(url);
}

/** Remembers the LAN addresses to share on, for the next start. */
export function saveLanAddresses(dataDir: string, addresses: string[]): void {
  saveSettings(dataDir, { lan: { addresses } });
}

export const savedLanAddresses = (dataDir: string): string[] =>
  readSavedSettings(dataDir).saved.lan?.addresses ?? [];
