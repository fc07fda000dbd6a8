import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { ADMIN_TOKEN, STEPS, type Step, type Vars } from './fixtures/differential-steps.js';
import { type Shape, shapeDiff, shapeOf } from './fixtures/differential.js';
import { RealJupyterHub } from './fixtures/jupyterhub3.js';
import { type TestHub, startTestHub } from './fixtures/test-hub.js';

// The same scripted REST session against Debian's JupyterHub 3.0 and against TeamHub: status codes
// and the keys and types of every JSON body must agree, except where docs/compatibility.md lists
// the difference and its reason. A listed difference that no longer happens fails too.

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
