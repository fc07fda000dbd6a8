import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { usernameProblem } from '../usernames.js';

/** Where the hub keeps its SQLite file and secrets unless told otherwise: the OS's per-user data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME ?? os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'TeamHub');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'TeamHub');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'teamhub');
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i;

/** Parses `512M`, `2G`, `1.5g` or a plain byte count; undefined when it is not a size. */
export function parseSize(value: string): number | undefined {
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const power = ['', 'k', 'm', 'g', 't'].indexOf(unit);
  return Math.round(Number(m[1]) * 1024 ** power);
}

// Loose PEP 440 release form: what jupyterhub-singleuser will parse without crashing at start.
const PEP440 = /^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$/;
const OAUTH_CLIENT_ID = /^[A-Za-z0-9._-]+$/;
// GitHub-style logins; other providers arrive with issue 7 and bring their own rules.
const username = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .superRefine((v, ctx) => {
    const problem = usernameProblem(v);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} cannot be a user name (${problem})` });
  });

function isHttpUrl(v: string): boolean {
  if (/[\s\p{Cc}]/u.test(v) || v.length > 2048) return false;
  try {
    const u = new URL(v);
    // A user name or password in the address would be shown on error pages: never accepted.
    // Nor a #fragment: OAuth forbids one in redirect URIs, and no other address here needs one.
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      !!u.hostname &&
      !u.username &&
      !u.password &&
      !v.includes('#')
    );
  } catch {
    return false;
  }
}

const url = (what: string) =>
  z.string().refine(isHttpUrl, {
    message: `expected an http(s) URL for ${what}, without spaces, user name, password or #fragment`,
  });

// What a provider's console shows for client ids and secrets: printable, no spaces or quotes (any kind).
const CREDENTIAL = /^[^\s"'“”‘’«»„‚‹›＂＇\p{Cc}\p{Cf}\p{Cs}\p{Co}]+$/u;
// Characters that show as nothing: format and control characters, lone surrogates, private use, line
// and paragraph separators, combining grapheme joiner, variation selectors, Hangul and Braille fillers.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u034f\ufe00-\ufe0f\u115f\u1160\u3164\uffa0\u2800]/u;
// Names shown to people (sign-in buttons) must show: nothing invisible, and a letter or digit.
const isVisibleText = (v: string) => !INVISIBLE.test(v) && /[\p{L}\p{N}]/u.test(v);

/** An IP address to listen on or connect to. */
const ipAddress = (what: string) =>
  z
    .string()
    .refine((v) => net.isIP(v) !== 0, { message: `expected an IP address for ${what}, such as 127.0.0.1` });

// Docker image references: [registry[:port]/]name[:tag][@digest], lower-case name components.
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const MIN_MEMORY = 6 * 1024 * 1024;

const GITHUB_API = 'https://api.github.com';
const isGithubCom = (url: string) => /^https:\/\/(www\.)?github\.com\/?$/i.test(url);

export const githubSchema = z
  .object({
    clientId: z
      .string()
      .max(200)
      .regex(OAUTH_CLIENT_ID, {
        message:
          'expected the Client ID shown on the GitHub OAuth app page (letters, digits, dot, dash, underscore; no spaces or quotes)',
      })
      .describe('Client ID of the GitHub OAuth app.'),
    clientSecret: z
      .string()
      .max(1000)
      .regex(CREDENTIAL, { message: 'expected the client secret without spaces or quotes' })
      .describe('Client secret of the GitHub OAuth app.'),
    url: url('the GitHub web address')
      .default('https://github.com')
      .describe('GitHub web address (GitHub Enterprise: https://github.example.com).'),
    apiUrl: url('the GitHub API address')
      .default('https://api.github.com')
      .describe(
        'GitHub API address; left out: https://api.github.com for github.com, <url>/api/v3 for GitHub Enterprise.',
      ),
    callbackUrl: url('the OAuth callback')
      .optional()
      .describe(
        'Callback URL registered on the OAuth app; default http://localhost:<port>/hub/oauth_callback.',
      ),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, { message: 'expected a scope name' }))
      .max(50)
      .default([])
      .describe('Extra OAuth scopes to request.'),
    allowedOrganizations: z
      .array(
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*(:[A-Za-z0-9][A-Za-z0-9._-]*)?$/, {
          message: 'expected "org" or "org:team-slug"',
        }),
      )
      .max(200)
      .default([])
      .describe(
        'Members of these GitHub organizations ("org") or teams ("org:team") may sign in; read:org is then requested.',
      ),
    deviceFlow: z
      .boolean()
      .default(false)
      .describe(
        'Offer "Sign in with GitHub using a code" (device flow: no callback URL needed, for teammates on the LAN); enable Device Flow in the OAuth app too.',
      ),
    timeoutSeconds: z.number().positive().max(120).default(15).describe('Timeout of each call to GitHub.'),
  })
  .strict()
  // An Enterprise server's sign-in must not send its users' tokens to github.com's API.
  .superRefine((g, ctx) => {
    if (g.apiUrl === GITHUB_API && isHttpUrl(g.url) && !isGithubCom(g.url))
      ctx.addIssue({
        code: 'custom',
        path: ['apiUrl'],
        message: `expected the API address of that GitHub server (${githubApiUrlFor(g.url)}), not ${GITHUB_API}`,
      });
  });

/**
 * The API address that goes with a GitHub web address: <server>/api/v3 for GitHub Enterprise;
 * undefined for an address that is not one (its own field says so).
 */
export function githubApiUrlFor(url: unknown): string | undefined {
  if (typeof url !== 'string' || !isHttpUrl(url)) return undefined;
  return isGithubCom(url) ? GITHUB_API : `${url.replace(/\/+$/, '')}/api/v3`;
}

export const oidcSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, {
        message:
          'expected a short id of lower-case letters, digits and "-" (it becomes part of the callback URL)',
      })
      .describe('Short id of this provider; its callback is /hub/oidc/<id>/callback.'),
    displayName: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .refine(isVisibleText, {
        message: 'expected a name with letters or digits and without control or invisible characters',
      })
      .describe('Name on the sign-in button ("Sign in with <displayName>").'),
    issuer: url('the OpenID issuer').describe(
      'Issuer URL; discovery reads <issuer>/.well-known/openid-configuration.',
    ),
    discoveryUrl: url('the discovery document')
      .optional()
      .describe('Discovery document URL when it is not under the issuer (rare).'),
    clientId: z
      .string()
      .max(1000)
      .regex(CREDENTIAL, { message: 'expected the client id without spaces or quotes' })
      .describe('Client ID registered at the provider.'),
    clientSecret: z
      .string()
      .max(1000)
      .regex(CREDENTIAL, { message: 'expected the client secret without spaces or quotes' })
      .optional()
      .describe('Client secret; leave out for a public client (PKCE only).'),
    callbackUrl: url('the OpenID callback')
      .optional()
      .describe(
        'Redirect URI registered at the provider; default http://localhost:<port>/hub/oidc/<id>/callback.',
      ),
    scopes: z
      .array(
        z
          .string()
          .regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, { message: 'expected a scope name without spaces' }),
      )
      .max(50)
      .default(['openid', 'profile', 'email'])
      .describe('Scopes to request ("openid" is always added).'),
    pkce: z
      .boolean()
      .default(true)
      .describe('Send a PKCE S256 challenge (turn off only for providers that choke on it).'),
    usernameClaim: z
      .string()
      .min(1)
      .max(100)
      .default('preferred_username')
      .describe(
        'ID-token or userinfo claim that becomes the hub user name (e.g. preferred_username, email, sub).',
      ),
    stripEmailDomain: z
      .boolean()
      .default(false)
      .describe('Drop "@domain" from the user name (alice@example.org → alice).'),
    groupsClaim: z
      .string()
      .min(1)
      .max(100)
      .default('groups')
      .describe('Claim holding the list of groups (ID token, else userinfo).'),
    allowedGroups: z
      .array(z.string().min(1).max(256))
      .max(500)
      .default([])
      .describe('Members of any of these groups may sign in.'),
    adminGroups: z
      .array(z.string().min(1).max(256))
      .max(500)
      .default([])
      .describe('Members of any of these groups are admins.'),
    timeoutSeconds: z
      .number()
      .positive()
      .max(120)
      .default(15)
      .describe('Timeout of each call to the provider.'),
  })
  .strict();

const localSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Offer sign-in with a user name and password kept by this hub (on when no GitHub or OpenID provider is configured and this is not set).',
      ),
    signup: z
      .enum(['off', 'approval'])
      .default('off')
      .describe('Whether people may ask for an account on the sign-in page; "approval" waits for an admin.'),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe(
        'Failed password attempts per account (and per client address ×4) within the window before 429.',
      ),
    attemptWindowSeconds: z
      .number()
      .int()
      .min(1)
      .default(900)
      .describe('Window over which failed password attempts are counted.'),
    inviteDays: z.number().positive().max(90).default(7).describe('How long an invite link stays valid.'),
  })
  .strict();

export const configSchema = z
  .object({
    ip: ipAddress('the listener')
      .default('127.0.0.1')
      .describe('Address the public listener binds; 127.0.0.1 keeps the hub on this machine.'),
    port: z.number().int().min(1).max(65535).default(8000).describe('Port of the public listener.'),
    dataDir: z.string().min(1).default(defaultDataDir()).describe('Folder for the SQLite file and secrets.'),
    jupyterhubVersion: z
      .string()
      .regex(PEP440, { message: 'expected a PEP 440 version such as 3.0.0 or 5.3.0' })
      .default('3.0.0')
      .describe('JupyterHub version the hub advertises to single-user servers and API clients.'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Log verbosity.'),
    auth: z
      .object({
        github: githubSchema.optional().describe('GitHub sign-in; absent = GitHub login disabled.'),
        allowedUsers: z.array(username).default([]).describe('Logins allowed to sign in.'),
        adminUsers: z.array(username).default([]).describe('Logins that are admins (and allowed).'),
        allowAll: z.boolean().default(false).describe('Allow everyone who can sign in at the provider.'),
        oidc: z
          .array(oidcSchema)
          .max(20)
          .default([])
          .refine((list) => new Set(list.map((p) => p.id)).size === list.length, {
            message: 'each OpenID provider needs its own id',
          })
          .describe(
            'OpenID Connect providers (Keycloak, GitLab, Google, Authentik, Entra…), one button each.',
          ),
        local: localSchema
          .prefault({})
          .describe('Accounts with a password kept by this hub, for offline teams.'),
        refreshIntervalSeconds: z
          .number()
          .int()
          .min(0)
          .default(900)
          .describe(
            "How often a signed-in user's organization, team or group membership is checked again; 0 = only at sign-in.",
          ),
      })
      .strict()
      .prefault({}),
    namedServers: z
      .object({
        enabled: z.boolean().default(false).describe('Let users run more than one server, each with a name.'),
        limitPerUser: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe('Most named servers a user may run at once; 0 = no limit.'),
      })
      .strict()
      .prefault({}),
    apiTokens: z
      .record(z.string().min(8, { message: 'tokens must be at least 8 characters' }), username)
      .default({})
      .describe('Pre-made API tokens (token → owner user name), e.g. for services; stored hashed.'),
    docker: z
      .object({
        socketPath: z.string().min(1).default('/var/run/docker.sock').describe('Docker Engine socket.'),
        image: z
          .string()
          .regex(IMAGE_REF, {
            message: 'expected a Docker image reference such as quay.io/jupyter/base-notebook:latest',
          })
          .default('teamhub/singleuser:bookworm')
          .describe('Single-user image; any JupyterHub single-user image works.'),
        allowedImages: z
          .array(
            z.string().regex(IMAGE_REF, {
              message: 'expected a Docker image reference such as quay.io/jupyter/base-notebook:latest',
            }),
          )
          .default([])
          .describe(
            'More images people may choose from when they start a server (docker.image is the default).',
          ),
        network: z.string().min(1).default('bridge').describe('Docker network the user containers join.'),
        namePrefix: z
          .string()
          .regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, {
            message: 'expected lower-case letters, digits, ".", "_" or "-" (at most 40)',
          })
          .default('teamhub')
          .describe('Start of container and volume names: <prefix>-<user>, <prefix>-user-<user>.'),
        homeMount: z
          .string()
          .regex(/^\//, { message: 'expected an absolute path inside the container' })
          .default('/home/jovyan')
          .describe("Where each user's persistent volume is mounted."),
        memLimit: z
          .string()
          .refine((v) => (parseSize(v) ?? 0) >= MIN_MEMORY, {
            message: 'expected a size of at least 6M such as 512M or 2G (leave it out for no limit)',
          })
          .optional()
          .describe('Memory limit per container.'),
        cpuLimit: z.number().positive().max(1024).optional().describe('CPU limit per container (cores).'),
        cmd: z.array(z.string()).optional().describe('Command override; default = the image CMD.'),
        notebookDir: z
          .string()
          .regex(/^\/[^\0]*$/, { message: 'expected an absolute path inside the container' })
          .optional()
          .describe(
            'Folder the notebook server opens in; created in the volume when inside docker.homeMount.',
          ),
        env: z.record(z.string(), z.string()).default({}).describe('Extra environment for user containers.'),
        binds: z
          .array(
            z
              .object({
                host: z
                  .string()
                  .regex(/^(\/|~\/)/, { message: 'expected an absolute host path (or one starting with ~/)' })
                  .describe('Host folder; {user} = the user, ~ = your home folder.'),
                container: z
                  .string()
                  .regex(/^\//, { message: 'expected an absolute path inside the container' }),
                readOnly: z.boolean().default(false),
              })
              .strict(),
          )
          .default([])
          .describe(
            'Host folders to mount per user, e.g. {"host": "~/TeamHub/users/{user}", "container": "/home/jovyan/work"}.',
          ),
        connect: z
          .enum(['auto', 'container-ip', 'published-port'])
          .default('auto')
          .describe(
            'How the hub reaches containers: their address on the Docker network, or a port published on 127.0.0.1 (Docker Desktop, remote engines); auto = whichever works here.',
          ),
        hubConnectIp: z
          .string()
          .refine((v) => v === 'auto' || net.isIP(v) !== 0, {
            message: 'expected "auto" or an IP address of this machine',
          })
          .default('auto')
          .describe('Address containers use to reach the hub; auto = the Docker bridge gateway.'),
        internalPort: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(8081)
          .describe('Port of the listener containers call (on hubConnectIp); 0 = any free port.'),
        startTimeoutSeconds: z.number().positive().default(120).describe('Time a container has to answer.'),
        pullTimeoutSeconds: z
          .number()
          .positive()
          .default(1800)
          .describe('Time a missing image has to download (apart from the start timeout).'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type HubConfig = z.infer<typeof configSchema>;
export type GithubConfig = z.infer<typeof githubSchema>;
export type OidcConfig = z.infer<typeof oidcSchema>;
export type LocalAuthConfig = z.infer<typeof localSchema>;
export type ConfigInput = z.input<typeof configSchema>;
