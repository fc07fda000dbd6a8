import fs from 'node:fs';
import type { z } from 'zod';
import { HubError } from '../errors.js';
import { configSchema, githubApiUrlFor, type HubConfig } from './schema.js';

type Raw = Record<string, unknown>;

/** One environment variable per setting that people commonly set from a shell or a service file. */
export const ENV_VARS: Record<string, { key: string; kind: 'string' | 'number' | 'list' | 'boolean' }> = {
  TEAMHUB_IP: { key: 'ip', kind: 'string' },
  TEAMHUB_PORT: { key: 'port', kind: 'number' },
  TEAMHUB_DATA_DIR: { key: 'dataDir', kind: 'string' },
  TEAMHUB_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  TEAMHUB_GITHUB_CLIENT_ID: { key: 'auth.github.clientId', kind: 'string' },
  TEAMHUB_GITHUB_CLIENT_SECRET: { key: 'auth.github.clientSecret', kind: 'string' },
  TEAMHUB_GITHUB_URL: { key: 'auth.github.url', kind: 'string' },
  TEAMHUB_GITHUB_API_URL: { key: 'auth.github.apiUrl', kind: 'string' },
  TEAMHUB_GITHUB_CALLBACK_URL: { key: 'auth.github.callbackUrl', kind: 'string' },
  TEAMHUB_ALLOWED_USERS: { key: 'auth.allowedUsers', kind: 'list' },
  TEAMHUB_ADMIN_USERS: { key: 'auth.adminUsers', kind: 'list' },
  TEAMHUB_ALLOW_ALL: { key: 'auth.allowAll', kind: 'boolean' },
  TEAMHUB_DOCKER_SOCKET: { key: 'docker.socketPath', kind: 'string' },
  TEAMHUB_IMAGE: { key: 'docker.image', kind: 'string' },
  TEAMHUB_MEM_LIMIT: { key: 'docker.memLimit', kind: 'string' },
  TEAMHUB_CPU_LIMIT: { key: 'docker.cpuLimit', kind: 'number' },
  TEAMHUB_HUB_CONNECT_IP: { key: 'docker.hubConnectIp', kind: 'string' },
  TEAMHUB_INTERNAL_PORT: { key: 'docker.internalPort', kind: 'number' },
};

export interface ConfigSources {
  /** Path of a JSON config file (from --config or TEAMHUB_CONFIG). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, already keyed by dotted setting name. */
  flags?: Record<string, unknown>;
  /** Values set by a program embedding the hub (tests, the Electron app); applied last. */
  overrides?: Raw;
}

function setPath(target: Raw, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Raw;
  }
  node[parts[parts.length - 1] as string] = value;
}

function getPath(source: unknown, parts: PropertyKey[]): unknown {
  let node = source;
  for (const part of parts) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function deepMerge(base: Raw, extra: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const prev = out[k];
    const bothObjects =
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof prev === 'object' && prev !== null;
    out[k] = bothObjects && !Array.isArray(prev) ? deepMerge(prev as Raw, v as Raw) : v;
  }
  return out;
}

// Keep an unparseable value as the original text, so the validation error can quote what was typed.
function convert(value: string, kind: 'string' | 'number' | 'list' | 'boolean'): unknown {
  switch (kind) {
    case 'number':
      // Plain decimal only: "0x1F40" or "1e3" stay text and are refused by name.
      return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    case 'list':
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      return value;
    default:
      return value;
  }
}

function readFile(file: string): Raw {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HubError(
      400,
      'config-unreadable',
      `Cannot read the config file ${file} (${code ?? 'error'}).`,
      {
        fix: 'Check the path given with --config or TEAMHUB_CONFIG.',
      },
    );
  }
  let parsed: unknown;
  try {
    // A byte-order mark (some Windows editors write one) is not part of the JSON.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''), (key, value: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw new HubError(
          400,
          'config-bad-key',
          `The config file ${file} has a key named "${key}", which is not a setting.`,
        );
      }
      return value;
    });
  } catch (err) {
    if (err instanceof HubError) throw err;
    throw new HubError(
      400,
      'config-not-json',
      `The config file ${file} is not valid JSON: ${(err as Error).message}.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HubError(
      400,
      'config-not-object',
      `The config file ${file} must hold one JSON object of settings.`,
    );
  }
  return parsed as Raw;
}

function sourceOf(key: string, sources: ConfigSources, fileRaw: Raw): string {
  const envName = Object.entries(ENV_VARS).find(([, v]) => v.key === key)?.[0];
  if (sources.flags?.[key] !== undefined) return 'command line';
  if (envName && sources.env?.[envName] !== undefined) return envName;
  if (getPath(fileRaw, key.split('.')) !== undefined && sources.file) return sources.file;
  return 'settings';
}

/** The first validation problem as one sentence: which key, which value, what is allowed, where it came from. */
function explain(error: z.ZodError, raw: Raw, sources: ConfigSources, fileRaw: Raw): string {
  const issue = error.issues[0];
  if (!issue) return 'The configuration is invalid.';
  const key = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = key ? `${key}.` : '';
    const names = issue.keys.map((k) => `${where}${k}`).join(', ');
    return `Unknown setting ${names} (in ${sources.file ?? 'settings'}); see docs/configuration.md for the settings that exist.`;
  }
  const value = getPath(raw, issue.path);
  if (value === undefined && issue.code === 'invalid_type') {
    const parent = issue.path.slice(0, -1).map(String).join('.');
    return `Missing setting ${key}${parent ? ` (needed when ${parent} is set)` : ''}: ${issue.message.replace(/^Invalid input: /, '')}.`;
  }
  const shown = JSON.stringify(value);
  const origin = sourceOf(key, sources, fileRaw);
  let allowed = issue.message;
  if (issue.code === 'invalid_type') allowed = `expected ${issue.expected}`;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    allowed = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.code === 'too_small' || issue.code === 'too_big')
    allowed = issue.message.replace(/^Too (small|big): /, '');
  return `Invalid setting ${key} = ${shown} (from ${origin}): ${allowed}.`;
}

/** A GitHub Enterprise address without its API address gets <address>/api/v3, not github.com's API. */
function withGithubApiUrl(raw: Raw): void {
  const github = (raw.auth as Raw | undefined)?.github as Raw | undefined;
  const apiUrl = github?.apiUrl === undefined ? githubApiUrlFor(github?.url) : undefined;
  if (github && apiUrl) github.apiUrl = apiUrl;
}

/**
 * A hub with no sign-in method configured offers password accounts, so a first run works with no
 * setup and no internet: the owner creates the admin account from this computer (/hub/setup).
 * An explicit auth.local.enabled (true or false) always wins.
 */
function offerPasswordsWhenNothingElse(raw: Raw): void {
  const auth = (raw.auth ?? {}) as Raw;
  const local = (auth.local ?? {}) as Raw;
  const oidc = auth.oidc;
  if (local.enabled !== undefined || auth.github || (Array.isArray(oidc) && oidc.length)) return;
  setPath(raw, 'auth.local.enabled', true);
}

/** Layers defaults < file < env < flags < overrides, validates once, and explains the first problem. */
export function loadConfig(sources: ConfigSources = {}): HubConfig {
  const env = sources.env ?? {};
  const file = sources.file ?? env.TEAMHUB_CONFIG;
  const withFile = { ...sources, file };
  const fileRaw = file ? readFile(file) : {};
  let raw: Raw = deepMerge({}, fileRaw);
  for (const [name, { key, kind }] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value !== undefined) setPath(raw, key, convert(value, kind));
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined) setPath(raw, key, value);
  }
  if (sources.overrides) raw = deepMerge(raw, sources.overrides);
  offerPasswordsWhenNothingElse(raw);
  withGithubApiUrl(raw);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new HubError(400, 'config-invalid', explain(result.error, raw, withFile, fileRaw));
  }
  return result.data;
}

export { convert as convertSettingText };
