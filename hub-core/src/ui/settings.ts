import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configSchema, type HubConfig } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';
import { lanAddresses } from '../lan-sharing.js';
import { someSignInMethod } from '../auth/providers.js';

/** What the settings screen may change while the hub runs; everything else needs the config file. */
const patchSchema = z
  .object({
    access: z
      .object({
        allowAll: z.boolean().optional(),
        allowedUsers: z.array(z.string()).optional(),
        adminUsers: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    passwords: z
      .object({ enabled: z.boolean().optional(), signup: z.string().optional() })
      .strict()
      .optional(),
    spawner: z
      .object({
        image: z.string().optional(),
        allowedImages: z.array(z.string()).optional(),
        // null clears a limit.
        memLimit: z.string().nullable().optional(),
        cpuLimit: z.number().nullable().optional(),
      })
      .strict()
      .optional(),
    lan: z
      .object({ addresses: z.array(z.string()) })
      .strict()
      .optional(),
    // Sign-in providers entered on the settings screen, without their client secrets (those are in
    // the secret store); checked against the config rules when the hub applies them.
    providers: z
      .object({
        github: z.record(z.string(), z.unknown()).nullable().optional(),
        oidc: z.array(z.record(z.string(), z.unknown())).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SettingsPatch = z.infer<typeof patchSchema>;

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

export const settingsFile = (dataDir: string) => path.join(dataDir, 'settings.json');

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

/** Earlier saves merged with this one: later values win, per field. */
function mergeSaved(a: SettingsPatch, b: SettingsPatch): SettingsPatch {
  return {
    access: { ...a.access, ...b.access },
    spawner: { ...a.spawner, ...b.spawner },
    passwords: { ...a.passwords, ...b.passwords },
    ...((b.lan ?? a.lan) ? { lan: b.lan ?? a.lan } : {}),
    ...((b.providers ?? a.providers) ? { providers: { ...a.providers, ...b.providers } } : {}),
  };
}

/** Reads settings saved from the UI; a damaged file is reported and ignored, never fatal. */
export function readSavedSettings(dataDir: string): { saved: SettingsPatch; problem?: string } {
  const file = settingsFile(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { saved: {} };
  }
  try {
    const parsed = patchSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { saved: parsed.data };
    return {
      saved: {},
      problem: `${file} does not hold valid settings (${parsed.error.issues[0]?.message}).`,
    };
  } catch (err) {
    return { saved: {}, problem: `${file} is not valid JSON (${(err as Error).message}).` };
  }
}

/** Settings saved from the UI win over the config file; invalid ones are skipped with a warning. */
export function withSavedSettings(config: HubConfig): { config: HubConfig; problem?: string } {
  const { saved, problem } = readSavedSettings(config.dataDir);
  if (problem || (!saved.access && !saved.spawner && !saved.passwords))
    return { config, ...(problem ? { problem } : {}) };
  try {
    return { config: patchedConfig(config, saved).next };
  } catch (err) {
    return {
      config,
      problem: `Settings saved in ${settingsFile(config.dataDir)} were ignored: ${String((err as Error).message)}`,
    };
  }
}

/** Merges a change into the saved settings file (0600, replaced atomically). */
export function saveSettings(dataDir: string, change: SettingsPatch): void {
  const file = settingsFile(dataDir);
  const next = mergeSaved(readSavedSettings(dataDir).saved, change);
  try {
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  } catch (err) {
    fs.rmSync(`${file}.tmp`, { force: true, recursive: true });
    throw new HubError(
      500,
      'settings-unwritable',
      `The settings could not be saved in ${file}, so nothing changed.`,
      {
        evidence: [describeError(err)],
        fix: `Make ${file} a file this user can write (and the data folder writable), then save again.`,
      },
    );
  }
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
