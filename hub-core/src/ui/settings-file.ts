import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HubError, describeError } from '../errors.js';

// The sections of settings.json, each checked on its own (and field by field) when read.
const accessSchema = z
  .object({
    allowAll: z.boolean().optional(),
    allowedUsers: z.array(z.string()).optional(),
    adminUsers: z.array(z.string()).optional(),
  })
  .strict();
const passwordsSchema = z.object({ enabled: z.boolean().optional(), signup: z.string().optional() }).strict();
const spawnerSchema = z
  .object({
    image: z.string().optional(),
    allowedImages: z.array(z.string()).optional(),
    // null clears a limit.
    memLimit: z.string().nullable().optional(),
    cpuLimit: z.number().nullable().optional(),
  })
  .strict();
const lanSchema = z.object({ addresses: z.array(z.string()) }).strict();
// Sign-in providers entered on the settings screen, without their client secrets (those are in the
// secret store); each is checked against the config rules when the hub applies it.
const providersSchema = z
  .object({
    github: z.record(z.string(), z.unknown()).nullable().optional(),
    oidc: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .strict();

/** What the settings screen may change while the hub runs; everything else needs the config file. */
export const patchSchema = z
  .object({
    access: accessSchema.optional(),
    passwords: passwordsSchema.optional(),
    spawner: spawnerSchema.optional(),
    lan: lanSchema.optional(),
    providers: providersSchema.optional(),
  })
  .strict();

export type SettingsPatch = z.infer<typeof patchSchema>;
type Raw = Record<string, unknown>;

const FIELDS = { access: accessSchema, passwords: passwordsSchema, spawner: spawnerSchema } as const;

export const settingsFile = (dataDir: string) => path.join(dataDir, 'settings.json');

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The file as JSON: {} when there is none, undefined (with why) when it is not one JSON object. */
function readRaw(file: string): { raw?: Raw; problem?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { raw: {} };
  }
  try {
    const raw: unknown = JSON.parse(text);
    if (isObject(raw)) return { raw };
    return { problem: `${file} does not hold one JSON object of settings, so it was not used.` };
  } catch (err) {
    return { problem: `${file} is not valid JSON (${(err as Error).message}), so it was not used.` };
  }
}

const firstMessage = (e: z.ZodError) => e.issues[0]?.message ?? 'not valid';

/**
 * Reads the settings saved from the UI. Each section, field and provider entry is checked on its own:
 * a bad one is left out and named in `problem`, the rest still apply.
 */
export function readSavedSettings(dataDir: string): { saved: SettingsPatch; problem?: string } {
  const file = settingsFile(dataDir);
  const { raw, problem } = readRaw(file);
  if (!raw) return { saved: {}, ...(problem ? { problem } : {}) };
  return usableParts(raw, file);
}

function usableParts(raw: Raw, file: string): { saved: SettingsPatch; problem?: string } {
  const saved: Raw = {};
  const bad: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'access' || key === 'passwords' || key === 'spawner') {
      if (!isObject(value)) {
        bad.push(`${key}: expected an object`);
        continue;
      }
      const shape = FIELDS[key].shape as Record<string, z.ZodType>;
      const kept: Raw = {};
      for (const [field, v] of Object.entries(value)) {
        const check = shape[field]?.safeParse(v);
        if (!check) bad.push(`${key}.${field} is not a setting`);
        else if (check.success) kept[field] = check.data;
        else bad.push(`${key}.${field}: ${firstMessage(check.error)}`);
      }
      saved[key] = kept;
    } else if (key === 'providers') {
      if (!isObject(value)) {
        bad.push('providers: expected an object');
        continue;
      }
      const kept: Raw = {};
      for (const [kind, v] of Object.entries(value)) {
        if (kind === 'github' && (v === null || isObject(v))) kept.github = v;
        else if (kind === 'oidc' && Array.isArray(v)) {
          kept.oidc = v.filter(isObject);
          if ((kept.oidc as Raw[]).length < v.length)
            bad.push('providers.oidc: entries that are not objects');
        } else bad.push(`providers.${kind}: not a provider list this hub knows`);
      }
      saved.providers = kept;
    } else if (key === 'lan') {
      const check = lanSchema.safeParse(value);
      if (check.success) saved.lan = check.data;
      else bad.push(`lan: ${firstMessage(check.error)}`);
    } else bad.push(`"${key}" is not a setting`);
  }
  return {
    saved: saved as SettingsPatch,
    ...(bad.length ? { problem: `Some settings in ${file} were left out: ${bad.join('; ')}.` } : {}),
  };
}

/**
 * Merges a change into the saved settings file (0600, replaced atomically). Only the sections the
 * change touches are rewritten (providers: only the kind it touches): whatever else the file holds,
 * even what this hub cannot use, stays as it was, and a file that is not JSON is kept beside it.
 */
export function saveSettings(dataDir: string, change: SettingsPatch): void {
  const file = settingsFile(dataDir);
  const { raw } = readRaw(file);
  const { saved } = raw ? usableParts(raw, file) : { saved: {} as SettingsPatch };
  const next: Raw = { ...raw };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (key === 'access' || key === 'passwords' || key === 'spawner')
      next[key] = { ...saved[key], ...(value as Raw) };
    else if (key === 'providers')
      next.providers = { ...(isObject(raw?.providers) ? raw.providers : {}), ...(value as Raw) };
    else next[key] = value;
  }
  try {
    if (!raw) fs.copyFileSync(file, `${file}.damaged`);
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
