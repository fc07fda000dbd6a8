import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { type Shape, shapeDiff, shapeOf } from './fixtures/differential.js';
import { RealJupyterHub } from './fixtures/jupyterhub3.js';
import { type TestHub, startTestHub } from './fixtures/test-hub.js';

// The same scripted REST session against Debian's JupyterHub 3.0 and against TeamHub: status codes
// and the keys and types of every JSON body must agree, except where docs/compatibility.md lists
// the difference and its reason. A listed difference that no longer happens fails too.
const ADMIN_TOKEN = 'admintoken-differential-0123456789';
const PAGE = 'application/jupyterhub-pagination+json';

type Who = 'admin' | 'alice' | 'none' | 'raw';
interface Step {
  id: string;
  what: string;
  method: string;
  path: string | ((v: Vars) => string);
  as: Who;
  body?: unknown;
  rawBody?: string;
  accept?: string;
  authorization?: (v: Vars) => string;
  /** Statuses that mean the same thing here (e.g. 201 "ready" and 202 "still starting"). */
  alike?: number[];
  keep?: (body: unknown, v: Vars) => void;
  after?: 'wait-ready' | 'wait-ready-nb1' | 'wait-stopped';
}
interface Vars {
  aliceToken?: string;
  aliceTokenId?: string;
}

const now = () => new Date().toISOString();
const STEPS: Step[] = [
  { id: 'S01', what: 'version', method: 'GET', path: '/hub/api', as: 'none' },
  { id: 'S02', what: 'version, trailing slash', method: 'GET', path: '/hub/api/', as: 'none' },
  { id: 'S03', what: 'hub info', method: 'GET', path: '/hub/api/info', as: 'admin' },
  { id: 'S04', what: 'who am I (admin token)', method: 'GET', path: '/hub/api/user', as: 'admin' },
  { id: 'S05', what: 'who am I, anonymous', method: 'GET', path: '/hub/api/user', as: 'none' },
  { id: 'S06', what: 'list users, anonymous', method: 'GET', path: '/hub/api/users', as: 'none' },
  {
    id: 'S07',
    what: 'create three users',
    method: 'POST',
    path: '/hub/api/users',
    as: 'admin',
    body: { usernames: ['alice', 'bob', 'carol'] },
  },
  {
    id: 'S08',
    what: 'create an existing user',
    method: 'POST',
    path: '/hub/api/users',
    as: 'admin',
    body: { usernames: ['alice'] },
  },
  { id: 'S09', what: 'create with no names', method: 'POST', path: '/hub/api/users', as: 'admin', body: {} },
  {
    id: 'S10',
    what: 'create with a body that is not JSON',
    method: 'POST',
    path: '/hub/api/users',
    as: 'admin',
    rawBody: 'not json',
  },
  { id: 'S11', what: 'create one user', method: 'POST', path: '/hub/api/users/dave', as: 'admin' },
  { id: 'S12', what: 'create that user again', method: 'POST', path: '/hub/api/users/dave', as: 'admin' },
  { id: 'S13', what: 'get a user', method: 'GET', path: '/hub/api/users/alice', as: 'admin' },
  { id: 'S14', what: 'get an unknown user', method: 'GET', path: '/hub/api/users/nosuch', as: 'admin' },
  {
    id: 'S15',
    what: 'make a user admin',
    method: 'PATCH',
    path: '/hub/api/users/dave',
    as: 'admin',
    body: { admin: true },
  },
  {
    id: 'S16',
    what: 'rename onto an existing name',
    method: 'PATCH',
    path: '/hub/api/users/dave',
    as: 'admin',
    body: { name: 'alice' },
  },
  {
    id: 'S17',
    what: 'patch an unknown field',
    method: 'PATCH',
    path: '/hub/api/users/dave',
    as: 'admin',
    body: { bogus: 1 },
  },
  { id: 'S18', what: 'list users', method: 'GET', path: '/hub/api/users', as: 'admin' },
  {
    id: 'S19',
    what: 'list users, first page',
    method: 'GET',
    path: '/hub/api/users?limit=2',
    as: 'admin',
    accept: PAGE,
  },
  {
    id: 'S20',
    what: 'list users, second page',
    method: 'GET',
    path: '/hub/api/users?offset=2&limit=2',
    as: 'admin',
    accept: PAGE,
  },
  {
    id: 'S21',
    what: 'list users, bad limit',
    method: 'GET',
    path: '/hub/api/users?limit=abc',
    as: 'admin',
    accept: PAGE,
  },
  {
    id: 'S22',
    what: 'list users, bad state',
    method: 'GET',
    path: '/hub/api/users?state=bogus',
    as: 'admin',
  },
  {
    id: 'S23',
    what: 'list inactive users',
    method: 'GET',
    path: '/hub/api/users?state=inactive',
    as: 'admin',
  },
  {
    id: 'S24',
    what: 'admin creates a token for alice',
    method: 'POST',
    path: '/hub/api/users/alice/tokens',
    as: 'admin',
    body: { note: 'differential' },
    keep: (b, v) => {
      const t = b as { token: string; id: string };
      v.aliceToken = t.token;
      v.aliceTokenId = t.id;
    },
  },
  { id: 'S25', what: "list alice's tokens", method: 'GET', path: '/hub/api/users/alice/tokens', as: 'admin' },
  {
    id: 'S26',
    what: 'get one token',
    method: 'GET',
    path: (v) => `/hub/api/users/alice/tokens/${v.aliceTokenId}`,
    as: 'admin',
  },
  {
    id: 'S27',
    what: 'get an unknown token',
    method: 'GET',
    path: '/hub/api/users/alice/tokens/a999999',
    as: 'admin',
  },
  { id: 'S28', what: 'who am I (alice)', method: 'GET', path: '/hub/api/user', as: 'alice' },
  { id: 'S29', what: 'alice lists users', method: 'GET', path: '/hub/api/users', as: 'alice' },
  { id: 'S30', what: 'alice reads bob', method: 'GET', path: '/hub/api/users/bob', as: 'alice' },
  { id: 'S31', what: 'alice reads herself', method: 'GET', path: '/hub/api/users/alice', as: 'alice' },
  {
    id: 'S32',
    what: 'alice asks for an admin-scoped token',
    method: 'POST',
    path: '/hub/api/users/alice/tokens',
    as: 'alice',
    body: { scopes: ['admin:users'] },
  },
  {
    id: 'S33',
    what: 'token with a non-integer expiry',
    method: 'POST',
    path: '/hub/api/users/alice/tokens',
    as: 'alice',
    body: { expires_in: 'soon' },
  },
  {
    id: 'S34',
    what: 'alice makes a narrow token',
    method: 'POST',
    path: '/hub/api/users/alice/tokens',
    as: 'alice',
    body: { scopes: ['read:users!user=alice'], expires_in: 3600 },
  },
  {
    id: 'S35',
    what: "alice starts bob's server",
    method: 'POST',
    path: '/hub/api/users/bob/server',
    as: 'alice',
  },
  {
    id: 'S36',
    what: 'create a group with a member',
    method: 'POST',
    path: '/hub/api/groups',
    as: 'admin',
    body: { groups: ['g1'], users: ['alice'] },
  },
  {
    id: 'S37',
    what: 'create it again',
    method: 'POST',
    path: '/hub/api/groups',
    as: 'admin',
    body: { groups: ['g1'] },
  },
  { id: 'S38', what: 'list groups', method: 'GET', path: '/hub/api/groups', as: 'admin' },
  { id: 'S39', what: 'get a group', method: 'GET', path: '/hub/api/groups/g1', as: 'admin' },
  {
    id: 'S40',
    what: 'add a member',
    method: 'POST',
    path: '/hub/api/groups/g1/users',
    as: 'admin',
    body: { users: ['bob'] },
  },
  {
    id: 'S41',
    what: 'remove a member',
    method: 'DELETE',
    path: '/hub/api/groups/g1/users',
    as: 'admin',
    body: { users: ['bob'] },
  },
  {
    id: 'S42',
    what: 'add an unknown user to a group',
    method: 'POST',
    path: '/hub/api/groups/g1/users',
    as: 'admin',
    body: { users: ['nosuch'] },
  },
  { id: 'S43', what: 'get an unknown group', method: 'GET', path: '/hub/api/groups/nosuch', as: 'admin' },
  { id: 'S44', what: 'user model shows the group', method: 'GET', path: '/hub/api/users/alice', as: 'admin' },
  { id: 'S45', what: 'delete the group', method: 'DELETE', path: '/hub/api/groups/g1', as: 'admin' },
  {
    id: 'S46',
    what: 'alice starts her server',
    method: 'POST',
    path: '/hub/api/users/alice/server',
    as: 'alice',
    alike: [201, 202],
    after: 'wait-ready',
  },
  {
    id: 'S47',
    what: 'user model with a running server',
    method: 'GET',
    path: '/hub/api/users/alice',
    as: 'admin',
  },
  { id: 'S48', what: 'start it again', method: 'POST', path: '/hub/api/users/alice/server', as: 'alice' },
  {
    id: 'S49',
    what: 'start a named server',
    method: 'POST',
    path: '/hub/api/users/alice/servers/nb1',
    as: 'alice',
    alike: [201, 202],
    after: 'wait-ready-nb1',
  },
  {
    id: 'S50',
    what: 'list ready users, paginated',
    method: 'GET',
    path: '/hub/api/users?state=ready',
    as: 'admin',
    accept: PAGE,
  },
  { id: 'S51', what: 'list active users', method: 'GET', path: '/hub/api/users?state=active', as: 'admin' },
  { id: 'S52', what: 'proxy routes', method: 'GET', path: '/hub/api/proxy', as: 'admin' },
  {
    id: 'S53',
    what: 'activity for an unknown server',
    method: 'POST',
    path: '/hub/api/users/alice/activity',
    as: 'admin',
    body: { servers: { nosuch: { last_activity: now() } } },
  },
  {
    id: 'S54',
    what: 'activity',
    method: 'POST',
    path: '/hub/api/users/alice/activity',
    as: 'admin',
    body: { last_activity: now(), servers: { '': { last_activity: now() } } },
  },
  {
    id: 'S55',
    what: 'activity with a bad timestamp',
    method: 'POST',
    path: '/hub/api/users/alice/activity',
    as: 'admin',
    body: { last_activity: 'yesterday' },
  },
  {
    id: 'S56',
    what: 'stop and remove the named server',
    method: 'DELETE',
    path: '/hub/api/users/alice/servers/nb1',
    as: 'alice',
    body: { remove: true },
    alike: [202, 204],
  },
  {
    id: 'S57',
    what: 'stop the removed named server',
    method: 'DELETE',
    path: '/hub/api/users/alice/servers/nb1',
    as: 'alice',
  },
  {
    id: 'S58',
    what: 'stop the default server',
    method: 'DELETE',
    path: '/hub/api/users/alice/server',
    as: 'alice',
    alike: [202, 204],
    after: 'wait-stopped',
  },
  {
    id: 'S59',
    what: 'progress of a server that is not starting',
    method: 'GET',
    path: '/hub/api/users/alice/server/progress',
    as: 'admin',
  },
  {
    id: 'S60',
    what: 'revoke a token',
    method: 'DELETE',
    path: (v) => `/hub/api/users/alice/tokens/${v.aliceTokenId}`,
    as: 'admin',
  },
  { id: 'S61', what: 'use the revoked token', method: 'GET', path: '/hub/api/user', as: 'alice' },
  {
    id: 'S62',
    what: 'Bearer header form',
    method: 'GET',
    path: '/hub/api/user',
    as: 'raw',
    authorization: () => `Bearer ${ADMIN_TOKEN}`,
  },
  {
    id: 'S63',
    what: '"token:" header form (F18)',
    method: 'GET',
    path: '/hub/api/users',
    as: 'raw',
    authorization: () => `token: ${ADMIN_TOKEN}`,
  },
  { id: 'S64', what: 'delete a user', method: 'DELETE', path: '/hub/api/users/carol', as: 'admin' },
  { id: 'S65', what: 'delete them again', method: 'DELETE', path: '/hub/api/users/carol', as: 'admin' },
];

// A server's `state` belongs to its spawner (a pid for JupyterHub's local processes, a container for
// TeamHub), so only its presence is compared, not its keys.
const SPAWNER_STATE = /servers\.[^.]+\.state\.[^:]+: only in/;

interface Outcome {
  status: number;
  shape: Shape | undefined;
  message?: string;
}

async function run(base: string, step: Step, v: Vars): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (step.as === 'admin') headers.authorization = `token ${ADMIN_TOKEN}`;
  if (step.as === 'alice') headers.authorization = `token ${v.aliceToken}`;
  if (step.authorization) headers.authorization = step.authorization(v);
  if (step.accept) headers.accept = step.accept;
  let body: string | undefined;
  if (step.rawBody !== undefined) body = step.rawBody;
  else if (step.body !== undefined) body = JSON.stringify(step.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const path = typeof step.path === 'function' ? step.path(v) : step.path;
  const res = await fetch(`${base}${path}`, {
    method: step.method,
    headers,
    ...(body !== undefined ? { body } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  step.keep?.(json, v);
  const message = (json as { message?: string } | undefined)?.message;
  return {
    status: res.status,
    shape: json === undefined ? undefined : shapeOf(json),
    ...(message ? { message } : {}),
  };
}

async function waitFor(base: string, server: string, ready: boolean): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    const res = await fetch(`${base}/hub/api/users/alice`, {
      headers: { authorization: `token ${ADMIN_TOKEN}` },
    });
    const m = (await res.json()) as { servers?: Record<string, { ready: boolean; pending: string | null }> };
    const s = m.servers?.[server];
    if (ready ? s?.ready : !s) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`alice's server "${server}" did not become ${ready ? 'ready' : 'stopped'} at ${base}`);
}

/**
 * `| S04 | `$.token_id: only in TeamHub` | ...` rows of docs/compatibility.md, as patterns: a step of
 * `*` means every step, and `*` inside the difference matches any text.
 */
function listedDifferences(): { text: string; test: (found: string) => boolean }[] {
  const doc = fs.readFileSync(new URL('../docs/compatibility.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| (S\d\d|\*) \|/.test(l));
  return rows.map((l) => {
    const [step = '', diff = ''] = l
      .split('|')
      .slice(1, 3)
      .map((c) => c.trim().replace(/^`|`$/g, ''));
    const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    const re = new RegExp(`^${step === '*' ? 'S\\d\\d' : escape(step)} ${escape(diff)}$`);
    return { text: `${step} ${diff}`, test: (found: string) => re.test(found) };
  });
}

let jh: RealJupyterHub;
let th: TestHub;

beforeAll(async () => {
  await requireDockerAndImage();
  jh = await new RealJupyterHub(ADMIN_TOKEN).start();
  th = await startTestHub({
    apiTokens: { [ADMIN_TOKEN]: 'admin' },
    auth: { adminUsers: ['admin'] },
    namedServers: { enabled: true },
    docker: { startTimeoutSeconds: 60 },
  });
});

afterAll(async () => {
  await th?.stop();
  await jh?.stop();
  await removeHubResources(th?.hub.hubId);
});

describe('REST API against JupyterHub 3.0', () => {
  it(`${STEPS.length} scripted calls agree in status and JSON shape, except the documented differences`, async () => {
    const vJ: Vars = {};
    const vT: Vars = {};
    const found: string[] = [];
    const report: Record<string, unknown>[] = [];
    for (const step of STEPS) {
      const ref = await run(jh.url, step, vJ);
      const ours = await run(th.base, step, vT);
      for (const [base, v] of [
        [jh.url, vJ],
        [th.base, vT],
      ] as const) {
        void v;
        if (step.after === 'wait-ready') await waitFor(base, '', true);
        if (step.after === 'wait-ready-nb1') await waitFor(base, 'nb1', true);
        if (step.after === 'wait-stopped') await waitFor(base, '', false);
      }
      const same =
        ref.status === ours.status ||
        (!!step.alike?.includes(ref.status) && step.alike.includes(ours.status));
      const diffs = same ? [] : [`status: ${ref.status} vs ${ours.status}`];
      if (ref.shape !== undefined && ours.shape !== undefined && same) {
        diffs.push(...shapeDiff(ref.shape, ours.shape).filter((d) => !SPAWNER_STATE.test(d)));
      }
      if ((ref.shape === undefined) !== (ours.shape === undefined) && same) {
        diffs.push(
          `body: ${ref.shape === undefined ? 'none' : 'JSON'} vs ${ours.shape === undefined ? 'none' : 'JSON'}`,
        );
      }
      for (const d of diffs) found.push(`${step.id} ${d}`);
      report.push({ id: step.id, what: step.what, jupyterhub: ref, teamhub: ours, diffs });
    }
    fs.mkdirSync('.test-artifacts', { recursive: true });
    fs.writeFileSync('.test-artifacts/rest-differential.json', JSON.stringify(report, null, 2));
    const listed = listedDifferences();
    const unlisted = found.filter((d) => !listed.some((l) => l.test(d)));
    const stale = listed.filter((l) => !found.some((d) => l.test(d))).map((l) => l.text);
    expect(STEPS.length).toBeGreaterThanOrEqual(40);
    expect(unlisted, 'differences not listed in docs/compatibility.md').toEqual([]);
    expect(stale, 'differences listed in docs/compatibility.md that no longer occur').toEqual([]);
  });
});
