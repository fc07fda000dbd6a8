import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { signInBrowserless } from '../../e2e/fixtures/sign-in.js';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// F08 variant: Docker not running (no socket) or not answering (a socket path nothing listens on).
const CLIENT = { clientId: 'Ov23liF08', clientSecret: 'f08-secret' };
const missing = '/nonexistent/docker.sock';
const silent = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'f08-')), 'docker.sock');
fs.writeFileSync(silent, '');

let provider: GithubProvider;
const hubs: TestHub[] = [];

beforeAll(async () => {
  provider = await new GithubProvider({ ...CLIENT, callbackUrl: 'later' }).start();
});
afterAll(async () => {
  for (const h of hubs) await h.stop();
  await provider.stop();
});

describe.each([
  { socket: missing, sentence: `Docker is not running: there is no socket at ${missing}.` },
  { socket: silent, sentence: `Docker is not running: nothing answers on the socket ${silent}.` },
])('F08: Docker unreachable at $socket', ({ socket, sentence }) => {
  let th: TestHub;
  let client: Browserless;
  let xsrf: string;

  beforeAll(async () => {
    th = await startTestHub({
      auth: {
        github: { ...CLIENT, url: provider.url, apiUrl: provider.apiUrl },
        allowedUsers: ['frank-dev'],
      },
      docker: { socketPath: socket },
    });
    hubs.push(th);
    provider.options.callbackUrl = `${th.base}/hub/oauth_callback`;
    client = new Browserless(th.base);
    xsrf = await signInBrowserless(client, provider, 'frank-dev');
  });

  it('the hub starts and tells the home screen the socket, the problem and the fix', async () => {
    const me = await client.request('/hub/ui/api/me');
    expect(me.status).toBe(200);
    const body = (await me.json()) as { docker: { ok: boolean; message: string; fix: string | null } };
    expect(body.docker.ok).toBe(false);
    expect(body.docker.message).toContain(sentence);
    expect(body.docker.fix).toBeTruthy();
  });

  it('the REST call fails the same way, as JSON', async () => {
    const res = await client.request('/hub/api/users/frank-dev/server', {
      method: 'POST',
      headers: { 'x-xsrftoken': xsrf },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 503, message: sentence });
    expect((await fetch(`${th.base}/hub/api`)).status).toBe(200);
  });
});
